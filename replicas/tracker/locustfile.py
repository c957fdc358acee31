"""Traffic for the tracker: training jobs creating runs and a dashboard searching them.

A plain locustfile, as a team would write it: nothing drillbook-specific but the
request names its target declares as write flows.
"""

import random
import time

from locust import HttpUser, constant_throughput, task


class TrainingJob(HttpUser):
    wait_time = constant_throughput(1)

    @task(3)
    def create_run(self) -> None:
        payload = {
            "experiment_id": "0",
            "run_name": f"train-{random.randrange(100_000)}",
            "start_time": int(time.time() * 1000),
        }
        self.client.post("/api/2.0/mlflow/runs/create", json=payload, name="create run")

    @task(2)
    def search_runs(self) -> None:
        self.client.post(
            "/api/2.0/mlflow/runs/search", json={"experiment_ids": ["0"], "max_results": 5}, name="search runs"
        )
