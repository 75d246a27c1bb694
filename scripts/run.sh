#!/usr/bin/env bash
# Starts the web server and the background worker together; Ctrl-C stops both.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
$BIN/python manage.py run_huey --workers 2 --quiet &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
$BIN/python manage.py demo_logins --url "http://$HOST:$PORT"
exec_web() { $BIN/uvicorn motcua.asgi:application --host "$HOST" --port "$PORT" --log-level warning --no-access-log; }
exec_web
