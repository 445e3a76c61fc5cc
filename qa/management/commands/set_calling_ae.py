from django.core.management.base import BaseCommand, CommandError

from qa.errors import InvalidInput
from qa.models import Hospital
from qa.services.dicom_network import calling_ae_set, service_username


class Command(BaseCommand):
    help = "Allow a calling AE title to send DICOM images to the receiver for a hospital."

    def add_arguments(self, parser):
        parser.add_argument("hospital_slug")
        parser.add_argument("ae_title")
        parser.add_argument("--source-network", default="", help="Accept it only from this address or network")

    def handle(self, *args, hospital_slug: str, ae_title: str, source_network: str, **options):
        hospital = Hospital.objects.filter(slug=hospital_slug).first()
        if hospital is None:
            raise CommandError(f"No hospital has the slug {hospital_slug!r}.")
        try:
            calling_ae = calling_ae_set(hospital=hospital, ae_title=ae_title, source_network=source_network)
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        where = f" from {calling_ae.source_network}" if calling_ae.source_network else ""
        self.stdout.write(
            f"{calling_ae.ae_title} sends for {hospital.slug}{where} as {service_username(calling_ae.ae_title)}"
        )
