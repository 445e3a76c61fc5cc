import datetime as dt
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from qa.services.demo import demo_accounts_seed, demo_studies_seed


class Command(BaseCommand):
    help = "Create the demo hospitals, one user per role, and phantom studies from four machines (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("FUSQA_DEMO_PASSWORD", "fusqa-demo"))
        parser.add_argument("--studies-per-machine", type=int, default=15)
        parser.add_argument("--days", type=int, default=120, help="spread the studies over this many days")
        parser.add_argument("--drift-from-days-ago", type=int, default=50)
        parser.add_argument("--no-studies", action="store_true")

    def handle(
        self,
        *args,
        password: str,
        studies_per_machine: int,
        days: int,
        drift_from_days_ago: int,
        no_studies: bool,
        **options,
    ):
        for login in demo_accounts_seed(password=password):
            where = ", ".join(login.hospitals) or "all hospitals"
            self.stdout.write(f"  {login.username:<10} {login.role:<11} {where}")
        if (settings.FUSQA_WEIGHTS_DIR / "segmentation.pt").exists():
            call_command("register_models", stdout=self.stdout)
        if no_studies:
            return

        def progress(profile: str, done: int, total: int) -> None:
            if done == total:
                self.stdout.write(f"  {profile}: {total} studies")

        counts = demo_studies_seed(
            studies_per_machine=studies_per_machine,
            days=days,
            today=dt.date.today(),
            drift_from_days_ago=drift_from_days_ago,
            progress=progress,
        )
        self.stdout.write(f"  phantom studies: {counts['created']} new, {counts['duplicates']} already there")
