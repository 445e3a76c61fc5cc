"""Locust users for bench/web_restart.py: a dashboard client polling the studies list with an API token.

The token and the think time come from the environment (the bench sets them): FUSQA_BENCH_TOKEN,
FUSQA_BENCH_WAIT_MIN and FUSQA_BENCH_WAIT_MAX (seconds)."""

import os

from locust import HttpUser, between, task


class StudiesReader(HttpUser):
    # Between requests a user thinks; its connection (requests.Session, keep-alive) stays open meanwhile.
    wait_time = between(
        float(os.environ.get("FUSQA_BENCH_WAIT_MIN", "0.2")), float(os.environ.get("FUSQA_BENCH_WAIT_MAX", "0.8"))
    )

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {os.environ['FUSQA_BENCH_TOKEN']}"

    @task
    def studies(self) -> None:
        self.client.get("/api/studies/?limit=20", name="/api/studies/")
