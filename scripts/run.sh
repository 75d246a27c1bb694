#!/usr/bin/env bash
# Starts the web server and the background worker together; Ctrl-C stops both.
# Every QR code and link carries the address served here (scripts/public-url.sh), so with
# HOST=0.0.0.0 a phone on the same network opens them.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
source scripts/public-url.sh "$HOST" "$PORT"
# Citizens sign in with the national digital identity (OpenID Connect). Unless a real provider
# is configured (MOTCUA_OIDC_ISSUER), the development provider motcua_devidp runs beside the
# app as its own process on DEVIDP_PORT (default PORT+100) with the demo residents
# (docs/decisions/0026); the app is pointed at it.
IDP=""
if [ -z "${MOTCUA_OIDC_ISSUER:-}" ]; then
  DEVIDP_PORT=${DEVIDP_PORT:-$((PORT + 100))}
  __host=${MOTCUA_PUBLIC_BASE_URL#*://}
  __host=${__host%%/*}
  case "$__host" in
    \[*) __host="${__host%%]*}]" ;;
    *) __host=${__host%%:*} ;;
  esac
  export DEVIDP_ISSUER="http://$__host:$DEVIDP_PORT"
  export MOTCUA_OIDC_ISSUER=$DEVIDP_ISSUER
  export MOTCUA_OIDC_CLIENT_ID=motcua-dev
  __idp_dir="${MOTCUA_VAR_DIR:-var}/devidp"
  mkdir -p "$__idp_dir"
  if [ ! -s "$__idp_dir/client-secret" ]; then
    (umask 077 && $BIN/python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$__idp_dir/client-secret")
  fi
  MOTCUA_OIDC_CLIENT_SECRET=$(cat "$__idp_dir/client-secret")
  export MOTCUA_OIDC_CLIENT_SECRET
  IDP_PY="env PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} $BIN/python"
  $IDP_PY -m motcua_devidp migrate --noinput -v0
  $IDP_PY -m motcua_devidp seed_devidp >/dev/null
  $IDP_PY -m uvicorn motcua_devidp.asgi:application --host "$HOST" --port "$DEVIDP_PORT" \
    --log-level warning --no-access-log &
  IDP=$!
  unset __host __idp_dir
fi
# Citizens may sign their declaration through a remote signing service (CSC API v2,
# docs/decisions/0038): unless a real one is configured, the simulator mounted at /csc-sim/
# (demo residents' PIN: MOTCUA_CSC_SIMULATOR_PIN, default 123456).
if [ -z "${MOTCUA_CSC_BASE_URL:-}" ]; then
  export MOTCUA_CSC_SIMULATOR=${MOTCUA_CSC_SIMULATOR:-1}
fi
# Fees paid online go through the national payment platform (docs/payment-platform.md): unless
# a real one is configured, the simulator mounted at /gia-lap/thanh-toan/, reached at the public
# address (the page it sends the citizen to must open on their phone), a secret made here.
if [ -z "${MOTCUA_PAYGOV_URL:-}" ]; then
  export MOTCUA_PAYGOV_SIMULATOR=1
  export MOTCUA_PAYGOV_URL="$MOTCUA_PUBLIC_BASE_URL/gia-lap/thanh-toan/api"
  export MOTCUA_PAYGOV_SECRET=${MOTCUA_PAYGOV_SECRET:-$($BIN/python -c 'import secrets; print(secrets.token_hex(16))')}
  # VietQR transfers: the simulator's bank (/gia-lap/thanh-toan/ngan-hang/) notifies the app,
  # signed with a secret made here unless one is agreed with a real bank.
  export MOTCUA_BANK_WEBHOOK_SECRET=${MOTCUA_BANK_WEBHOOK_SECRET:-$($BIN/python -c 'import secrets; print(secrets.token_hex(16))')}
fi
# Results sent by post (docs/postal-delivery.md): unless a real post is configured, the
# simulator mounted at /gia-lap/buu-chinh/, its status updates posted back to this server.
if [ -z "${MOTCUA_POST_URL:-}" ]; then
  export MOTCUA_POSTSIM=1
  export MOTCUA_POST_URL="$MOTCUA_PUBLIC_BASE_URL/gia-lap/buu-chinh/api"
  export MOTCUA_POST_SECRET=${MOTCUA_POST_SECRET:-$($BIN/python -c 'import secrets; print(secrets.token_hex(16))')}
fi
# The National Public Service Portal: unless a real one is configured, the local receiver at
# /gia-lap/dvcqg/ (docs/national-portal-sync.md); huey drains the outbox.
if [ -z "${MOTCUA_DVCQG_URL:-}" ]; then
  export MOTCUA_DVCQG_SIMULATOR=1
  export MOTCUA_DVCQG_URL="$MOTCUA_PUBLIC_BASE_URL/gia-lap/dvcqg/api"
  export MOTCUA_DVCQG_TOKEN=${MOTCUA_DVCQG_TOKEN:-$($BIN/python -c 'import secrets; print(secrets.token_hex(16))')}
fi
$BIN/python manage.py run_huey --workers 2 --quiet &
WORKER=$!
# the outbox to the national portal, drained continuously (huey's minute job is the safety net)
$BIN/python manage.py portal_sync &
SYNC=$!
trap 'kill $WORKER $SYNC $IDP 2>/dev/null; wait $WORKER $SYNC $IDP 2>/dev/null' EXIT INT TERM
$BIN/python manage.py demo_logins
if [ -n "$IDP" ]; then
  echo
  $IDP_PY -m motcua_devidp list_residents
fi
echo
echo "Địa chỉ công khai (trong mọi mã QR, liên kết, tin nhắn): $MOTCUA_PUBLIC_BASE_URL"
case "$HOST" in
  127.*|localhost|::1|"[::1]")
    echo "  Chỉ máy này mở được. Để điện thoại cùng mạng mở được: make run HOST=0.0.0.0" ;;
esac
exec_web() { $BIN/uvicorn motcua.asgi:application --host "$HOST" --port "$PORT" --log-level warning --no-access-log; }
exec_web
