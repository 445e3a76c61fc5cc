"""Factories for the domain's rows. Tests build what they need here, never from fixture files."""

import io

import factory
import numpy as np
from django.core.files.base import ContentFile
from PIL import Image

from qa import models


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Hospital

    name = factory.Sequence(lambda n: f"Hospital {n}")
    slug = factory.Sequence(lambda n: f"hospital-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = models.Role.QA_MANAGER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def member_of(self, create, hospitals, **kwargs):
        for hospital in hospitals or []:
            models.Membership.objects.create(user=self, hospital=hospital)
        if create:
            self.save()


class MachineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Machine

    hospital = factory.SubFactory(HospitalFactory)
    manufacturer = "Phantom Medical"
    model_name = factory.Sequence(lambda n: f"PX-{n}")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Study

    hospital = factory.SubFactory(HospitalFactory)
    machine = factory.SubFactory(MachineFactory, hospital=factory.SelfAttribute("..hospital"))
    patient_key = factory.Sequence(lambda n: f"{n:064x}")
    study_key = factory.Sequence(lambda n: f"study-{n:058d}")
    reported_ga_days = 80.0


class FrameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Frame

    study = factory.SubFactory(StudyFactory)
    hospital = factory.SelfAttribute("study.hospital")
    width = 64
    height = 48
    spacing_row_mm = 0.2
    spacing_col_mm = 0.2
    spacing_source = "request"
    source = models.FrameSource.PNG
    sop_instance_uid = factory.Sequence(lambda n: f"2.25.{n + 1}")
    pixels = factory.LazyAttribute(
        lambda o: ContentFile(png_bytes(np.zeros((o.height, o.width), np.uint8)), name="frame.png")
    )


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ModelVersion

    kind = models.ModelKind.SEGMENTATION
    version = factory.Sequence(lambda n: f"0.{n}")
    weights_file = "segmentation.pt"
    sha256 = "0" * 64


class MaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Mask

    frame = factory.SubFactory(FrameFactory)
    kind = models.MaskKind.MODEL
    version = factory.Sequence(lambda n: n + 1)
    model_version = factory.SubFactory(ModelVersionFactory)
    area_px = 0
    data = factory.LazyAttribute(
        lambda o: ContentFile(png_bytes(np.zeros((o.frame.height, o.frame.width), np.uint8)), name="mask.png")
    )


class ProcessingJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProcessingJob

    frame = factory.SubFactory(FrameFactory)
    status = models.JobStatus.DONE


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assessment

    mask = factory.SubFactory(MaskFactory)
    model_version = factory.SubFactory(ModelVersionFactory, kind=models.ModelKind.FUSQA)
    p_good = 0.9
    label = factory.LazyAttribute(lambda o: "good" if o.p_good >= 0.5 else "poor")


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Measurement

    mask = factory.SubFactory(MaskFactory)
    crl_mm = 45.0
    p1_row = 10.0
    p1_col = 12.0
    p2_row = 30.0
    p2_col = 52.0
    ga_days = 81.5
    formula = "robinson"
    in_formula_range = True


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Review

    mask = factory.SubFactory(MaskFactory)
    expert = factory.SubFactory(UserFactory, role=models.Role.EXPERT)
    verdict = models.Verdict.GOOD
    seconds_spent = 12.0


class TrainingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TrainingRun

    kind = models.ModelKind.SEGMENTATION
    status = models.RunStatus.DONE
    progress = 1.0
