"""The default queue's PACS forward: send one processed frame's SEG and SR to its hospital's PACS."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from qa.errors import FusqaError
from qa.services.pacs_forward import PacsRefused, PacsUnreachable, dicom_send_fail, dicom_send_run


@shared_task(bind=True, acks_late=True, max_retries=settings.FUSQA_PACS_SEND_RETRIES)
def send_results(self, send_id: int) -> str:
    try:
        return dicom_send_run(send_id=send_id).status
    except (PacsRefused, FusqaError) as exc:  # refused, or nothing left to report: trying again changes nothing
        dicom_send_fail(send_id=send_id, reason=str(exc))
        return "failed"
    except (PacsUnreachable, OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            dicom_send_fail(send_id=send_id, reason=f"gave up after {self.request.retries + 1} tries: {exc}")
            return "failed"
        countdown = min(settings.FUSQA_PACS_RETRY_MAX_SECONDS, 2 ** (self.request.retries + 1))
        raise self.retry(exc=exc, countdown=countdown) from exc
