"""Traffic for the sample service: customers booking pickups and looking them up.

drillbook runs this file in its own load process and adds the write ledger to
it; a team's own locustfile needs nothing drillbook-specific either, only the
request names its target declares as write flows.
"""

import random

from locust import HttpUser, constant_throughput, task

STREETS = ("Elm St", "Oak Ave", "Maple Rd", "Pine Ln", "Cedar Ct")


class Customer(HttpUser):
    wait_time = constant_throughput(1)

    @task(3)
    def create_order(self) -> None:
        payload = {
            "customer": f"customer-{random.randrange(10_000)}",
            "pickup_address": f"{random.randrange(1, 999)} {random.choice(STREETS)}",
            "items": random.randint(1, 5),
        }
        self.client.post("/api/orders", json=payload, name="create order")

    @task(2)
    def list_orders(self) -> None:
        self.client.get("/api/user/orders", name="list orders")

    @task(1)
    def active_drivers(self) -> None:
        self.client.get("/api/drivers/active", name="active drivers")
