"""SIMULATION ONLY: `manage.py simulate_experts` (qa.services.simulated_experts)."""

from django.core.management.base import BaseCommand, CommandError

from qa.errors import FusqaError
from qa.models import Hospital, Machine
from qa.services.simulated_experts import simulated_reviews_run


class Command(BaseCommand):
    help = (
        "SIMULATION for demos, tests and benchmarks only: simulated experts (users simulated-expert-N) answer review "
        "leases through the real review API, judging each model mask against the demo phantom's ground truth with "
        "the training label rule, and draw a corrected mask for a share of them. Never use on real patients' data: "
        "frames that are not demo phantoms are answered 'unusable'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="hospital slug or id")
        parser.add_argument("--machine", help="machine id, or part of its manufacturer/model name (e.g. 'Aplio')")
        parser.add_argument("--count", type=int, default=100, help="reviews to give at most (default 100)")
        parser.add_argument("--experts", type=int, default=2, help="simulated experts taking turns (default 2)")
        parser.add_argument(
            "--correct-share", type=float, default=0.3, help="share of reviews with a corrected mask (default 0.3)"
        )
        parser.add_argument("--seed", type=int, default=0, help="seeds the experts' noise and timings")

    def handle(self, *args, hospital, machine, count, experts, correct_share, seed, **options):
        found = _hospital(hospital)
        chosen = _machine(found, machine) if machine else None
        where = f"{found.slug}" + (f", machine {chosen.pk} ({chosen})" if chosen else "")
        self.stdout.write(f"SIMULATION: {experts} simulated experts review up to {count} items of {where}")

        def progress(report):
            if report.reviews % 25 == 0:
                self.stdout.write(f"  {report.reviews} reviews")

        try:
            report = simulated_reviews_run(
                hospital=found,
                machine=chosen,
                count=count,
                experts=experts,
                correct_share=correct_share,
                seed=seed,
                progress=progress,
            )
        except FusqaError as exc:
            raise CommandError(exc.message) from exc
        verdicts = ", ".join(f"{k} {v}" for k, v in sorted(report.verdicts.items())) or "none"
        self.stdout.write(
            f"simulated reviews: {report.reviews} ({verdicts}); corrected masks: {report.corrected}; "
            f"frames without phantom truth: {report.without_truth}"
        )


def _hospital(value: str) -> Hospital:
    found = Hospital.objects.filter(pk=int(value)) if value.isdigit() else Hospital.objects.filter(slug=value)
    hospital = found.first()
    if hospital is None:
        raise CommandError(f"no hospital {value!r} (give its slug or id)")
    return hospital


def _machine(hospital: Hospital, value: str) -> Machine:
    machines = Machine.objects.filter(hospital=hospital)
    if value.isdigit():
        machines = machines.filter(pk=int(value))
    else:
        machines = [m for m in machines if value.lower() in f"{m.manufacturer} {m.model_name}".lower()]
    if len(machines) != 1:
        raise CommandError(f"{len(machines)} machines of {hospital.slug} match {value!r}: name exactly one")
    return machines[0]
