"""Uploads answer fast when the broker is away, whether it refuses connections or accepts them and never
answers; what was not sent is sent by the sweeper once the broker is back. Real Redis, real PostgreSQL."""

import socket
import threading
import time

import numpy as np
import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from qa.models import ProcessingJob
from qa.services.processing import jobs_requeue_stuck
from tests.factories import HospitalFactory, UserFactory
from tests.pipeline.processes import RedisServer, point_celery_at
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FRAMES = 15


@pytest.fixture
def silent_broker_url():
    """A TCP server that accepts every connection and never says a word: a hung Redis, a black-holing
    proxy. Held connections are closed when the test ends."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def upload_cine(broker):
    """POST a 15-frame DICOM cine; returns the new jobs' ids and the seconds the request took. One upload
    is made first, unmeasured, so the first measured one pays no one-off imports and connections."""
    hospital = HospitalFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(role="qa_manager", member_of=[hospital]))

    def upload(seed: int) -> tuple[list[int], float]:
        pixels = np.random.default_rng(seed).integers(0, 256, (FRAMES, 120, 160), dtype=np.uint8)
        region = ultrasound_region(box=(0, 0, 159, 119))
        data = dicom_bytes(dicom_dataset(pixels=pixels, frames=FRAMES, regions=[region]))
        started = time.perf_counter()
        response = client.post(
            "/api/uploads/",
            {"file": SimpleUploadedFile("cine.dcm", data), "hospital": hospital.id},
            format="multipart",
        )
        took = time.perf_counter() - started
        assert response.status_code == 201, response.content
        frame_ids = [frame["id"] for frame in response.json()["frames"]]
        assert len(frame_ids) == FRAMES
        return sorted(ProcessingJob.objects.filter(frame_id__in=frame_ids).values_list("id", flat=True)), took

    upload(seed=0)
    return upload


def gpu_queue_length(broker: RedisServer) -> int:
    return redis.Redis.from_url(broker.url).llen(settings.FUSQA_GPU_QUEUE)


def test_a_cine_upload_answers_within_a_second_of_its_own_work_while_redis_refuses_connections(broker, upload_cine):
    _, own_work = upload_cine(seed=1)  # the broker up: the upload's own work, its 15 sends included
    broker.stop()

    job_ids, took = upload_cine(seed=2)

    print(f"15-frame upload: {took:.2f} s with the broker refusing, {own_work:.2f} s with it up")
    assert took < own_work + 1.0, f"{took:.2f} s with the broker refusing, {own_work:.2f} s with it up"
    unsent = ProcessingJob.objects.filter(id__in=job_ids, status="pending", queued_at__isnull=True)
    assert sorted(unsent.values_list("id", flat=True)) == job_ids
    broker.start()  # the same port, empty: a restarted Redis without persistence
    assert jobs_requeue_stuck(unqueued_grace_seconds=0) == job_ids
    assert gpu_queue_length(broker) == FRAMES
    assert not ProcessingJob.objects.filter(id__in=job_ids, queued_at__isnull=True).exists()


def test_a_cine_upload_answers_within_a_second_of_its_own_work_while_the_broker_never_answers(
    broker, upload_cine, silent_broker_url
):
    _, own_work = upload_cine(seed=3)
    point_celery_at(silent_broker_url)

    job_ids, took = upload_cine(seed=4)

    print(f"15-frame upload: {took:.2f} s with the broker silent, {own_work:.2f} s with it up")
    assert took < own_work + 1.0, f"{took:.2f} s with the broker silent, {own_work:.2f} s with it up"
    unsent = ProcessingJob.objects.filter(id__in=job_ids, status="pending", queued_at__isnull=True)
    assert sorted(unsent.values_list("id", flat=True)) == job_ids
    point_celery_at(broker.url)
    assert jobs_requeue_stuck(unqueued_grace_seconds=0) == job_ids
    assert gpu_queue_length(broker) == 3 * FRAMES  # the warm-up's and the first upload's, then these
