"""The replica's Prometheus, Alertmanager, Pushgateway and webhook sink (`stack.py`)."""
