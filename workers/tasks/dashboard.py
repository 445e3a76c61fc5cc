"""The default queue's drift watch: evaluate the drift rule on every hospital's rollups."""

from celery import shared_task

from qa.services.alerts import drift_alerts_evaluate


@shared_task(acks_late=True)
def evaluate_drift() -> list[int]:
    return [alert.id for alert in drift_alerts_evaluate()]
