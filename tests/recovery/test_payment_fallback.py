"""The payment fallback on the fake replica: the service's own health answer drives every step."""

from __future__ import annotations

from typing import Any

from drillbook.recovery import payment_fallback
from tests.fakes import FakeReplica, run_steps


def health_sequence(*payments: dict[str, Any]) -> Any:
    """The health endpoint's answers in turn, the last one repeated."""
    answers = list(payments)

    def next_answer(_sent: object) -> dict[str, Any]:
        return {"status": "ok", "payments": answers.pop(0) if len(answers) > 1 else answers[0]}

    return next_answer


def test_fallback_on_queue_drained_fallback_off(fake: FakeReplica) -> None:
    fake.app.answer(
        "GET",
        "/api/health",
        200,
        health_sequence(
            {"provider": "failing (error)", "queued": 0},
            {"provider": "failing (error)", "queued": 3},  # verify
            {"provider": "ok", "queued": 0, "completed_from_queue": 3},
        ),
    )
    ran = run_steps(payment_fallback.PROCEDURE, fake)
    assert all(r.ok for r in ran), ran
    assert ran[-2].detail.startswith("the provider answers again; 3 queued payment(s) completed")
    posts = [(path, body) for method, path, body in fake.app.seen if method == "POST"]
    assert posts == [
        ("/api/admin/features/enable", b'{"feature":"payment_fallback"}'),
        ("/api/admin/features/disable", b'{"feature":"payment_fallback"}'),
    ]


def test_a_healthy_provider_leaves_the_flag_alone(fake: FakeReplica) -> None:
    fake.app.answer("GET", "/api/health", 200, {"status": "ok", "payments": {"provider": "ok", "queued": 0}})
    ran = run_steps(payment_fallback.PROCEDURE, fake)
    assert len(ran) == 1 and "there is nothing to fall back from" in ran[0].detail
    assert not [m for m, _p, _b in fake.app.seen if m == "POST"]


def test_a_queue_that_never_drains_keeps_the_fallback_on(fake: FakeReplica) -> None:
    fake.app.answer(
        "GET", "/api/health", 200, {"status": "ok", "payments": {"provider": "failing (hang)", "queued": 2}}
    )
    ran = run_steps(payment_fallback.PROCEDURE, fake, {"drain_timeout_s": 0.6})
    assert not ran[-1].ok and ran[-1].detail.endswith("2 payment(s) are still queued: the fallback stays on")
    assert [p for m, p, _b in fake.app.seen if m == "POST"] == ["/api/admin/features/enable"]
