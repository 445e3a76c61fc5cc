"""What `make demo` shows a newcomer: two hospitals, one user per role, and months of phantom studies
from four machines (one of which starts drifting), sent through the same ingest path as a real upload."""

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
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


@dataclass(frozen=True)
class DemoStudy:
    hospital_slug: str
    profile: str
    seed: int
    exam_date: dt.date


def demo_study_plan(
    *, studies_per_machine: int, days: int, today: dt.date, first_per_machine: int
) -> tuple[list, list]:
    """The demo's studies, split in two: a first slice of `first_per_machine` studies per machine spread over
    the whole period (seeded before the site starts, so every page has data at once) and the history (the
    rest, oldest first, seeded in the background). One frame per study; exam dates evenly over `days` days."""
    first, rest = [], []
    for hospital_index, (slug, _, profiles) in enumerate(DEMO_HOSPITALS):
        for machine_index, name in enumerate(profiles):
            stride = max(1, studies_per_machine // max(1, first_per_machine))
            for i in range(studies_per_machine):
                study = DemoStudy(
                    hospital_slug=slug,
                    profile=name,
                    seed=100_000 + 10_000 * hospital_index + 1_000 * machine_index + i,
                    exam_date=today - dt.timedelta(days=round(days * (1 - (i + 0.5) / studies_per_machine))),
                )
                is_first = i % stride == stride // 2 and i // stride < first_per_machine
                (first if is_first else rest).append(study)
    rest.sort(key=lambda s: (s.exam_date, s.seed))
    return first, rest


def demo_studies_seed(
    *,
    studies: list[DemoStudy],
    today: dt.date,
    drift_from_days_ago: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Send `studies` (a plan from demo_study_plan) through the real ingest path as DICOM, uploaded by the
    admin. The drifting machine switches preset (its profile's drift) `drift_from_days_ago` days before
    today. Idempotent: the same seeds give the same SOP Instance UIDs, so a second run stores nothing new."""
    from workers.ml import synth

    counts = {"created": 0, "duplicates": 0}
    uploader = User.objects.filter(role=Role.ADMIN).first()
    hospitals = {h.slug: h for h in Hospital.objects.filter(slug__in=[slug for slug, _, _ in DEMO_HOSPITALS])}
    profiles = {}
    for _, _, names in DEMO_HOSPITALS:
        for name in names:
            profile = synth.get_profile(name)
            if name == DRIFTING_PROFILE and profile.drift is not None:
                start = (today - dt.timedelta(days=drift_from_days_ago)).isoformat()
                profile = dataclasses.replace(profile, drift=dataclasses.replace(profile.drift, start_date=start))
            profiles[name] = profile
    for done, study in enumerate(studies, start=1):
        scan = synth.generate_scan(
            profiles[study.profile], study.seed, study_date=study.exam_date, follow_drift_schedule=True
        )
        upload = SimpleUploadedFile(f"{study.seed}.dcm", synth.scan_to_dicom_bytes(scan), "application/dicom")
        result = ingest_upload(
            user=uploader,
            hospital=hospitals[study.hospital_slug],
            uploaded_file=upload,
            reported_ga_days=scan.ga_days_reported,
            source="command:seed_demo",
        )
        counts["duplicates" if result.duplicate else "created"] += 1
        if progress:
            progress(done, len(studies))
    return counts


def demo_history_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-history.json"


def demo_history_record(*, state: str, seeded: int, total: int, path: Path | None = None) -> None:
    """Where the background seeding of the demo's history stands (read by GET /api/demo/progress/).
    A small file, not a table: it describes this laptop's demo run, not the product's data."""
    path = path or demo_history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"state": state, "seeded": seeded, "total": total, "updated_at": _now_iso()}))
    tmp.replace(path)  # atomic: a reader never sees half a file


def demo_history_progress(*, path: Path | None = None) -> dict:
    """{state: none | queued | running | done | failed, seeded, total, updated_at}."""
    try:
        data = json.loads((path or demo_history_file()).read_text())
    except (FileNotFoundError, ValueError):
        return {"state": "none", "seeded": 0, "total": 0, "updated_at": None}
    return {k: data.get(k) for k in ("state", "seeded", "total", "updated_at")}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def demo_progress_get(*, user: User) -> dict:
    """The history's seeding progress, and how many of the user's frames still wait for the worker."""
    from qa.models import ProcessingJob
    from qa.permissions import hospitals_visible_to

    waiting = ProcessingJob.objects.filter(
        status__in=["pending", "running"], frame__hospital__in=hospitals_visible_to(user)
    ).count()
    return demo_history_progress() | {"frames_waiting": waiting}
