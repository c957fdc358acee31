"""The measurement fields of the result contract, in the order reports show them."""

INSTANTS = (
    "injected_at",
    "disrupted_at",
    "detected_at",
    "recovered_at",
    "downtime_s",
    "degraded_s",
    "time_to_detect_s",
    "time_to_recover_s",
    "rpo_s",
)
COUNTS = ("acked_writes", "lost_writes", "lost_after_injection")
MEASUREMENTS = INSTANTS + COUNTS
