#!/usr/bin/env bash
# The same URLs under gunicorn (gthread) and uvicorn, one at a time with wrk, with the page cache
# on and off: the numbers behind docs/decisions/0023. Needs a migrated database with the demo
# (e.g. `bench/loadtest/run.py --phases none --keep --database motcua_wrk`) and wrk.
#   bash bench/loadtest/compare_servers.sh postgres://postgres@127.0.0.1:5432/motcua_wrk
set -euo pipefail
DB=${1:?database URL}
REDIS=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/14}
WORKERS=${WORKERS:-4}; THREADS=${THREADS:-4}; CONNS=${CONNS:-100}; SECONDS_EACH=${SECONDS_EACH:-10}
BIN=$(dirname "${PYTHON:-.venv/bin/python}")
export DATABASE_URL=$DB REDIS_URL=$REDIS DJANGO_DEBUG=0 DJANGO_SETTINGS_MODULE=bench.loadtest.settings \
  MOTCUA_VAR_DIR=$(mktemp -d) PYTHONPATH=src:. LOG_LEVEL=WARNING DATABASE_POOL_MAX_SIZE=$THREADS
URLS=("/thu-tuc/?q=dang+ky+ket+hon" "/hang-doi/man-hinh/11824/trang-thai.json" "/static/khong-co.css")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
start() {  # name port cache
  local name=$1 port=$2
  if [ "$name" = gunicorn ]; then
    MOTCUA_PAGE_CACHE=$3 WEB_BIND=127.0.0.1:$port WEB_WORKERS=$WORKERS WEB_THREADS=$THREADS \
      "$BIN/gunicorn" -c python:motcua.gunicorn_config motcua.wsgi:application &
  else
    MOTCUA_PAGE_CACHE=$3 "$BIN/uvicorn" motcua.asgi:application --host 127.0.0.1 --port "$port" \
      --workers "$WORKERS" --log-level warning --no-access-log &
  fi
  pids+=($!)
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz?probe=web" >/dev/null && return; sleep 0.5; done
  echo "$name did not start" >&2; exit 1
}
echo "| server | page cache | URL | req/s | mean latency | non-2xx/3xx | load avg |"
echo "|---|---|---|---|---|---|---|"
port=18300
for cache in 1 0; do
  for server in gunicorn uvicorn; do
    port=$((port + 1)); start $server $port $cache
    for url in "${URLS[@]}"; do
      curl -s -o /dev/null "http://127.0.0.1:$port$url"  # warm the cache and the pool
      out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" "http://127.0.0.1:$port$url")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
      bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
      echo "| $server (${WORKERS}x${THREADS}) | $cache | $url | $rps | $lat | ${bad:-0} | $(cut -d' ' -f1 /proc/loadavg) |"
    done
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  done
done
