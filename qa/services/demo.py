"""What `make demo` shows a newcomer: two hospitals, one user per role, and months of phantom studies
from four machines (one of which starts drifting), sent through the same ingest path as a real upload."""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from qa.models import Hospital, Role, User
from qa.services.accounts import user_upsert
from qa.services.ingest import ingest_upload

DEMO_HOSPITALS = [
    ("northgate", "Northgate General", ["hospital_a/logiq_p9", "hospital_a/voluson_e8"]),
    ("southbank", "Southbank Women's Hospital", ["hospital_b/aplio_i700", "hospital_b/epiq_7"]),
]
DRIFTING_PROFILE = "hospital_b/aplio_i700"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    hospitals: tuple[str, ...]


@transaction.atomic
def demo_accounts_seed(*, password: str) -> list[DemoLogin]:
    hospitals = {
        slug: Hospital.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name, _ in DEMO_HOSPITALS
    }
    plan = [
        ("qa_north", Role.QA_MANAGER, ["northgate"]),
        ("qa_south", Role.QA_MANAGER, ["southbank"]),
        ("expert", Role.EXPERT, ["northgate", "southbank"]),
        ("admin", Role.ADMIN, []),
    ]
    logins = []
    for username, role, slugs in plan:
        user_upsert(username=username, password=password, role=role, hospitals=[hospitals[s] for s in slugs])
        logins.append(DemoLogin(username=username, role=role.label, hospitals=tuple(hospitals[s].name for s in slugs)))
    return logins


def demo_studies_seed(
    *, studies_per_machine: int, days: int, today: dt.date, drift_from_days_ago: int, progress=None
) -> dict[str, int]:
    """Phantom studies spread over the last `days` days, one frame each, uploaded as DICOM by the
    hospital's QA manager. The drifting machine's fault starts `drift_from_days_ago` days before today.
    Idempotent: the same seeds give the same SOP Instance UIDs, so a second run stores nothing new."""
    from workers.ml import synth

    counts = {"created": 0, "duplicates": 0}
    uploader = User.objects.filter(role=Role.ADMIN).first()
    for hospital_index, (slug, _, profiles) in enumerate(DEMO_HOSPITALS):
        hospital = Hospital.objects.get(slug=slug)
        for machine_index, name in enumerate(profiles):
            profile = synth.get_profile(name)
            if name == DRIFTING_PROFILE and profile.drift is not None:
                start = (today - dt.timedelta(days=drift_from_days_ago)).isoformat()
                profile = dataclasses.replace(profile, drift=dataclasses.replace(profile.drift, start_date=start))
            for i in range(studies_per_machine):
                seed = 100_000 + 10_000 * hospital_index + 1_000 * machine_index + i
                exam_date = today - dt.timedelta(days=round(days * (1 - (i + 0.5) / studies_per_machine)))
                scan = synth.generate_scan(profile, seed, study_date=exam_date, follow_drift_schedule=True)
                upload = SimpleUploadedFile(f"{seed}.dcm", synth.scan_to_dicom_bytes(scan), "application/dicom")
                result = ingest_upload(
                    user=uploader,
                    hospital=hospital,
                    uploaded_file=upload,
                    reported_ga_days=scan.ga_days_reported,
                    source="command:seed_demo",
                )
                counts["duplicates" if result.duplicate else "created"] += 1
                if progress:
                    progress(name, i + 1, studies_per_machine)
    return counts
