"""SIMULATION ONLY (demos, tests, benchmarks): experts who answer review leases from the phantom's truth.

Each simulated expert is an ordinary expert user (`simulated-expert-1`, ...) who works through the real review
API, as HTTP requests through Django's whole stack (URL routing, middleware, authentication, permissions,
serializers, the review services): lease an item (`POST /api/review-queue/lease/`), look at the model's mask
(`GET /api/masks/{id}/image/`) and the frame (`GET /api/frames/{id}/image/`), judge the mask against the phantom's
reference mask with the label rule training uses (workers.ml.fusqa.labels.quality_label), and answer
(`POST /api/reviews/`): good or poor, and for a share of the reviews a corrected mask (the reference, drawn with a
little expert noise). Where the rule cannot decide (between its thresholds) the expert says poor and draws the
correction, so the training label becomes what the rule says (excluded).

Only demo phantoms have a truth (qa.services.phantom_truth); a leased frame without one is answered `unusable`
with a comment saying so, so the simulation never invents a verdict.
"""

import io
import secrets
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.test import Client
from PIL import Image
from scipy import ndimage

from qa.errors import FusqaError
from qa.models import Frame, Hospital, Machine, Role, User
from qa.services.accounts import user_upsert
from qa.services.phantom_truth import phantom_truth

SIMULATED_EXPERT_PREFIX = "simulated-expert-"


@dataclass
class SimulationReport:
    reviews: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    corrected: int = 0
    without_truth: int = 0
    review_ids: list[int] = field(default_factory=list)


def simulated_experts_ensure(*, count: int, hospitals: list[Hospital]) -> list[User]:
    """The simulated expert users, members of `hospitals` (created, or their memberships set). Their passwords
    are random and never shown: nobody logs in as them."""
    return [
        user_upsert(
            username=f"{SIMULATED_EXPERT_PREFIX}{i}",
            password=secrets.token_urlsafe(24),
            role=Role.EXPERT,
            hospitals=hospitals,
        )
        for i in range(1, count + 1)
    ]


def simulated_reviews_run(
    *,
    hospital: Hospital,
    machine: Machine | None = None,
    count: int = 100,
    experts: int = 2,
    correct_share: float = 0.3,
    seed: int = 0,
    progress=None,
) -> SimulationReport:
    """Answer up to `count` leases of `hospital` (and `machine`) as `experts` simulated experts, in turn. Stops
    early when no expert is offered anything more."""
    if not 0 <= correct_share <= 1:
        raise FusqaError("correct_share must be between 0 and 1", code="invalid_correct_share")
    if experts < 1 or count < 0:
        raise FusqaError("experts must be at least 1 and count not negative", code="invalid_simulation")
    rng = np.random.default_rng(seed)
    clients = [_client_for(user) for user in simulated_experts_ensure(count=experts, hospitals=[hospital])]
    filters = {"hospital": hospital.id} | ({"machine": machine.id} if machine else {})
    report = SimulationReport()
    idle = 0
    turn = 0
    while report.reviews < count and idle < len(clients):
        client = clients[turn % len(clients)]
        turn += 1
        lease = client.post("/api/review-queue/lease/", filters, content_type="application/json")
        if lease.status_code == 204:
            idle += 1
            continue
        _expect(lease, 201)
        idle = 0
        answer = _answer(client, lease.json(), rng=rng, correct_share=correct_share)
        response = client.post("/api/reviews/", answer)
        _expect(response, 201)
        body = response.json()
        report.reviews += 1
        report.review_ids.append(body["review"]["id"])
        report.verdicts[answer["verdict"]] = report.verdicts.get(answer["verdict"], 0) + 1
        report.corrected += body["corrected_mask"] is not None
        report.without_truth += answer.get("comment", "").startswith("simulation:")
        if progress:
            progress(report)
    return report


def _client_for(user: User) -> Client:
    # In-process HTTP through the whole stack; a host the deployment allows, over "https" so a production
    # setting's SSL redirect answers the request instead of redirecting it.
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost", secure=True)
    client.force_login(user)
    return client


def _answer(client: Client, lease: dict, *, rng: np.random.Generator, correct_share: float) -> dict:
    from workers.ml.fusqa.labels import quality_label

    frame = Frame.objects.select_related("study").get(pk=lease["frame"])
    pixels = _png(_get(client, f"/api/frames/{frame.pk}/image/"))
    model_mask = _png(_get(client, f"/api/masks/{lease['mask']}/image/")) > 0
    seconds = round(float(rng.uniform(4, 40)), 1)
    truth = phantom_truth(frame, pixels) if pixels.shape == model_mask.shape else None
    if truth is None:
        return {
            "lease_id": lease["lease_id"],
            "verdict": "unusable",
            "seconds_spent": seconds,
            "comment": "simulation: no phantom truth for this frame",
        }
    spacing = (frame.spacing_row_mm, frame.spacing_col_mm)
    label = quality_label(model_mask, truth.reference, spacing, formula=settings.FUSQA_GA_FORMULA).label
    answer = {"lease_id": lease["lease_id"], "verdict": label or "poor", "seconds_spent": seconds}
    if label is None or rng.random() < correct_share:
        answer["mask"] = _mask_file(expert_drawn(truth.reference, rng))
    return answer


def expert_drawn(reference: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The reference as an expert redraws it: the outline a pixel in or out now and then."""
    choice = rng.integers(0, 3)
    if choice == 1:
        drawn = ndimage.binary_dilation(reference)
    elif choice == 2:
        drawn = ndimage.binary_erosion(reference)
    else:
        drawn = reference
    return drawn if drawn.any() else reference


def _get(client: Client, path: str) -> bytes:
    response = client.get(path)
    _expect(response, 200)
    return b"".join(response.streaming_content) if response.streaming else response.content


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def _mask_file(mask: np.ndarray) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "simulated-correction.png"
    return buffer


def _expect(response, status: int) -> None:
    if response.status_code != status:
        raise FusqaError(
            f"the review API answered {response.status_code} where {status} was expected: {response.content[:300]!r}",
            code="simulation_failed",
        )
