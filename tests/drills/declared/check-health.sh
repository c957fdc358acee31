#!/bin/sh
# The team's own check: the health endpoint answers, through the URL drillbook hands every step.
exec python3 -c 'import os, urllib.request; print(urllib.request.urlopen(os.environ["APP_URL"] + "/api/health", timeout=5).read().decode()[:120])'
