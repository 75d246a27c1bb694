#!/usr/bin/env bash
# Starts the web server and the background worker together; Ctrl-C stops both.
# Every QR code and link carries the address served here (scripts/public-url.sh), so with
# HOST=0.0.0.0 a phone on the same network opens them.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
source scripts/public-url.sh "$HOST" "$PORT"
$BIN/python manage.py run_huey --workers 2 --quiet &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
$BIN/python manage.py demo_logins
echo
echo "Địa chỉ công khai (trong mọi mã QR, liên kết, tin nhắn): $MOTCUA_PUBLIC_BASE_URL"
case "$HOST" in
  127.*|localhost|::1|"[::1]")
    echo "  Chỉ máy này mở được. Để điện thoại cùng mạng mở được: make run HOST=0.0.0.0" ;;
esac
exec_web() { $BIN/uvicorn motcua.asgi:application --host "$HOST" --port "$PORT" --log-level warning --no-access-log; }
exec_web
