"""A small demo world for the loop's tests: the demo's people, a few phantom studies of chosen machines sent
through the real ingest path (the drifting machine drifts from `DRIFT_DAYS_AGO`), judged by the shipped models."""

import dataclasses
import datetime as dt
from io import StringIO

from django.core.management import call_command

from qa.models import ProcessingJob
from qa.services.demo import DRIFTING_PROFILE, DemoStudy, demo_accounts_seed, demo_studies_seed, demo_study_plan
from qa.services.processing import jobs_process

DRIFT_DAYS_AGO = 20


def demo_world(*, profiles=(DRIFTING_PROFILE,), per_machine: int = 4, days: int = 40) -> list[DemoStudy]:
    """Seed and judge the studies; returns them (their seeds are the phantoms' ground truth)."""
    today = dt.date.today()
    demo_accounts_seed(password="pw-for-demo-123")
    call_command("register_models", stdout=StringIO())
    first, rest = demo_study_plan(studies_per_machine=per_machine, days=days, today=today, first_per_machine=0)
    studies = [s for s in first + rest if s.profile in profiles]
    demo_studies_seed(studies=studies, today=today, drift_from_days_ago=DRIFT_DAYS_AGO)
    jobs_process(job_ids=list(ProcessingJob.objects.values_list("id", flat=True)), worker="test", batch_size=32)
    return studies


def phantom_of(study: DemoStudy):
    """The phantom as seed_demo generated it (its drift from the schedule), independently of qa.services."""
    from workers.ml import synth

    profile = synth.get_profile(study.profile)
    if profile.drift is not None:
        start = (dt.date.today() - dt.timedelta(days=DRIFT_DAYS_AGO)).isoformat()
        profile = dataclasses.replace(profile, drift=dataclasses.replace(profile.drift, start_date=start))
    return synth.generate_scan(profile, study.seed, study_date=study.exam_date, follow_drift_schedule=True)
