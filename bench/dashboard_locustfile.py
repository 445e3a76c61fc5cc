"""The load of bench/dashboard.py: each simulated client reads the dashboard again as soon as it has it
(plus BENCH_WAIT seconds of think time, 0 by default)."""

import os

from locust import FastHttpUser, constant, task


class DashboardReader(FastHttpUser):
    wait_time = constant(float(os.environ.get("BENCH_WAIT", "0")))

    @task
    def dashboard(self) -> None:
        self.client.get(
            os.environ["BENCH_PATH"], headers={"Authorization": f"Token {os.environ['BENCH_TOKEN']}"}, name="dashboard"
        )
