from django.core.management.base import BaseCommand, CommandError

from qa.errors import FusqaError
from qa.services.known_answers import known_answers_adjudicate, known_answers_seed_phantoms


class Command(BaseCommand):
    help = (
        "Make known-answer review items: --count phantom frames (a ground-truth mask or a damaged version of it, "
        "labelled by the label rule) in --hospital, and with --adjudicated every agreed double read. They are "
        "mixed into experts' leases at FUSQA_KNOWN_ANSWER_RATE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", help="hospital slug the phantom items belong to")
        parser.add_argument("--count", type=int, default=0, help="phantom items to make")
        parser.add_argument("--seed", type=int, default=None, help="first phantom seed (random without it)")
        parser.add_argument("--adjudicated", action="store_true", help="also add agreed double reads")

    def handle(self, *args, hospital, count, seed, adjudicated, **options):
        if count and not hospital:
            raise CommandError("--hospital SLUG is needed with --count.")
        if not count and not adjudicated:
            raise CommandError("Nothing to do: give --hospital SLUG --count N, or --adjudicated.")
        try:
            if count:
                made = known_answers_seed_phantoms(hospital_slug=hospital, count=count, seed=seed)
                good = sum(1 for item in made if item.expected_verdict == "good")
                self.stdout.write(
                    f"{len(made)} phantom known-answer items in {hospital}: {good} good, {len(made) - good} poor"
                )
            if adjudicated:
                made = known_answers_adjudicate()
                self.stdout.write(f"{len(made)} adjudicated known-answer items from agreed double reads")
        except FusqaError as exc:
            raise CommandError(exc.message) from exc
