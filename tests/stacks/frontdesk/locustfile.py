"""The help desk's users, on locust's FastHttpUser."""

import random

from locust import FastHttpUser, constant_throughput, task


class Agent(FastHttpUser):
    wait_time = constant_throughput(1)

    @task(2)
    def list_tickets(self):
        self.client.get("/v1/tickets", name="list tickets")

    @task(1)
    def open_ticket(self):
        ticket = {"title": f"printer {random.randint(1, 10**6)} is on fire", "priority": random.randint(1, 3)}
        self.client.post("/v1/tickets", json=ticket, name="open ticket")
