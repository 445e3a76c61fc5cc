from django.core.management.base import BaseCommand

from qa.services.rollups import quality_rollups_rebuild


class Command(BaseCommand):
    help = "Recount the dashboard's rollups (DailyQuality) from the frames, assessments and jobs stored."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=20_000, help="Frames read per query")

    def handle(self, *args, chunk_size: int, **options):
        rows = quality_rollups_rebuild(chunk_size=chunk_size)
        self.stdout.write(f"{rows} rollup rows written")
