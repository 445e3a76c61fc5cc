import datetime as dt
import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from qa.models import Study
from qa.services.demo import (
    DEMO_HOSPITALS,
    demo_accounts_seed,
    demo_history_record,
    demo_studies_seed,
    demo_study_plan,
)


class Command(BaseCommand):
    help = (
        "Create the demo hospitals, one user per role, and a first slice of phantom studies from four machines; "
        "--history seeds the rest of the months of history (run it in the background). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("FUSQA_DEMO_PASSWORD", "fusqa-demo"))
        parser.add_argument("--studies-per-machine", type=int, default=560, help="the whole history, per machine")
        parser.add_argument("--first-per-machine", type=int, default=15, help="seeded before the site starts")
        parser.add_argument("--days", type=int, default=150, help="spread the studies over this many days")
        parser.add_argument("--drift-from-days-ago", type=int, default=45)
        parser.add_argument("--history", action="store_true", help="seed the history behind the first slice")
        parser.add_argument("--no-studies", action="store_true")

    def handle(self, *args, password, studies_per_machine, first_per_machine, days, drift_from_days_ago, **options):
        today = dt.date.today()
        first, rest = demo_study_plan(
            studies_per_machine=studies_per_machine, days=days, today=today, first_per_machine=first_per_machine
        )
        if options["history"]:
            seeded = Study.objects.filter(hospital__slug__in=[slug for slug, _, _ in DEMO_HOSPITALS]).count()
            if seeded >= len(first) + len(rest):  # a second `make demo`: regenerating 2000 frames to learn so is slow
                demo_history_record(state="done", seeded=len(rest), total=len(rest))
                self.stdout.write("seed_demo --history: the history is already there")
                return
            self._seed_history(rest, today=today, drift_from_days_ago=drift_from_days_ago)
            return
        for login in demo_accounts_seed(password=password):
            where = ", ".join(login.hospitals) or "all hospitals"
            self.stdout.write(f"  {login.username:<10} {login.role:<11} {where}")
        if (settings.FUSQA_WEIGHTS_DIR / "segmentation.pt").exists():
            call_command("register_models", stdout=self.stdout)
        if options["no_studies"]:
            return
        counts = demo_studies_seed(studies=first, today=today, drift_from_days_ago=drift_from_days_ago)
        self.stdout.write(f"  phantom studies: {counts['created']} new, {counts['duplicates']} already there")
        demo_history_record(state="queued", seeded=0, total=len(rest))

    def _seed_history(self, studies, *, today, drift_from_days_ago):
        started = time.monotonic()
        self.stdout.write(f"seed_demo --history: {len(studies)} studies, oldest first")
        demo_history_record(state="running", seeded=0, total=len(studies))

        seeded = [0]

        def progress(done: int, total: int) -> None:
            seeded[0] = done
            if done % 20 == 0 or done == total:
                demo_history_record(state="running", seeded=done, total=total)
                self.stdout.write(f"  {done}/{total} studies ({time.monotonic() - started:.0f} s)")
                self.stdout.flush()

        try:
            counts = demo_studies_seed(
                studies=studies, today=today, drift_from_days_ago=drift_from_days_ago, progress=progress
            )
        except BaseException:
            demo_history_record(state="failed", seeded=seeded[0], total=len(studies))
            raise
        demo_history_record(state="done", seeded=len(studies), total=len(studies))
        self.stdout.write(
            f"  history: {counts['created']} new, {counts['duplicates']} already there "
            f"({time.monotonic() - started:.0f} s)"
        )
