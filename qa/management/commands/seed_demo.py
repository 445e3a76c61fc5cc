import os

from django.core.management.base import BaseCommand

from qa.services.demo import demo_accounts_seed


class Command(BaseCommand):
    help = "Create the demo hospitals and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("FUSQA_DEMO_PASSWORD", "fusqa-demo"))

    def handle(self, *args, password: str, **options):
        for login in demo_accounts_seed(password=password):
            where = ", ".join(login.hospitals) or "all hospitals"
            self.stdout.write(f"  {login.username:<10} {login.role:<11} {where}")
