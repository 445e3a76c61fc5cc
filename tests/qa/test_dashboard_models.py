"""Constraints of the dashboard's tables, and the third verdict of an assessment."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from qa.models import Assessment, DailyQuality, DriftAlert, DriftSettings
from tests.factories import AssessmentFactory, HospitalFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_assessment_may_be_unknown_but_nothing_else_beyond_good_and_poor():
    assert AssessmentFactory(label="unknown", p_good=0.5).label == Assessment.Label.UNKNOWN
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentFactory(label="maybe", p_good=0.5)


def test_one_rollup_row_per_machine_and_day_and_one_for_studies_without_a_machine():
    machine = MachineFactory()
    DailyQuality.objects.create(hospital=machine.hospital, machine=machine, day=date(2026, 3, 2))
    DailyQuality.objects.create(hospital=machine.hospital, machine=None, day=date(2026, 3, 2))

    for again in (machine, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            DailyQuality.objects.create(hospital=machine.hospital, machine=again, day=date(2026, 3, 2))


def test_drift_settings_refuse_a_shift_ratio_of_one_and_a_reference_ending_before_it_starts():
    for bad in ({"shift_ratio": 1.0}, {"reference_start": date(2026, 3, 2), "reference_end": date(2026, 3, 1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DriftSettings.objects.create(hospital=HospitalFactory(), **bad)


def test_an_alert_is_acknowledged_by_someone_at_some_time_or_not_at_all():
    fields = {
        "hospital": HospitalFactory(),
        "rule": "bernoulli_cusum",
        "started_on": date(2026, 3, 2),
        "detected_on": date(2026, 3, 9),
        "baseline_poor_rate": 0.05,
        "current_poor_rate": 0.1,
        "statistic": 6.2,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        DriftAlert.objects.create(**fields, acknowledged_by=UserFactory())
