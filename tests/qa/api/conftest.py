"""Three hospitals with one of everything each, and the people who may (or may not) see them."""

from dataclasses import dataclass, field

import pytest

from qa.models import Hospital, Role, User
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    MaskFactory,
    MeasurementFactory,
    ProcessingJobFactory,
    ReviewFactory,
    StudyFactory,
    UserFactory,
)


@dataclass
class Site:
    hospital: Hospital
    ids: dict[str, int] = field(default_factory=dict)


def build_site(name: str) -> Site:
    hospital = HospitalFactory(name=name, slug=name.lower().replace(" ", "-"))
    machine = MachineFactory(hospital=hospital)
    study = StudyFactory(hospital=hospital, machine=machine)
    frame = FrameFactory(study=study)
    ProcessingJobFactory(frame=frame)
    mask = MaskFactory(frame=frame, version=1)
    AssessmentFactory(mask=mask)
    MeasurementFactory(mask=mask)
    review = ReviewFactory(mask=mask)
    ids = {"hospital": hospital.id, "machine": machine.id, "study": study.id, "frame": frame.id, "mask": mask.id}
    return Site(hospital=hospital, ids={**ids, "review": review.id})


@dataclass
class World:
    a: Site
    b: Site
    c: Site
    qa_manager_of_a: User
    expert_of_b: User
    admin: User
    nobody: User


@pytest.fixture
def world(db) -> World:
    a, b, c = build_site("Alpha General"), build_site("Beta Royal"), build_site("Gamma Clinic")
    return World(
        a=a,
        b=b,
        c=c,
        qa_manager_of_a=UserFactory(role=Role.QA_MANAGER, member_of=[a.hospital]),
        expert_of_b=UserFactory(role=Role.EXPERT, member_of=[b.hospital]),
        admin=UserFactory(role=Role.ADMIN),
        nobody=UserFactory(role=Role.QA_MANAGER),
    )
