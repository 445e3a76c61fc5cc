"""The demo's hospitals and one user per role: what `make demo` shows a newcomer."""

from dataclasses import dataclass

from django.db import transaction

from qa.models import Hospital, Role
from qa.services.accounts import user_upsert

DEMO_HOSPITALS = [
    ("northgate", "Northgate General"),
    ("southbank", "Southbank Women's Hospital"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    hospitals: tuple[str, ...]


@transaction.atomic
def demo_accounts_seed(*, password: str) -> list[DemoLogin]:
    hospitals = {
        slug: Hospital.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in DEMO_HOSPITALS
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
