# Sourced by the Makefile and scripts/run.sh: `source scripts/public-url.sh HOST PORT`.
# Exports MOTCUA_PUBLIC_BASE_URL, the address that every QR code, printed link and message
# carries (docs/operations.md), as the address `make run` serves on HOST:PORT, unless it is set
# already (a tunnel or a reverse proxy in front). HOST 0.0.0.0 (every interface) becomes this
# machine's primary address, so a phone on the same network opens the links.
# The server answers to that address (DJANGO_ALLOWED_HOSTS, unless set). A server bound to
# loopback is reached from this machine only, so there a loopback base URL is
# the truth: the system check refusing it with DEBUG off (motcua.E002) is silenced for that case
# alone. Bound to every interface, a loopback base URL still fails the check, as it should.
__motcua_bind=${1:-127.0.0.1}
__motcua_port=${2:-8000}
if [ -z "${MOTCUA_PUBLIC_BASE_URL:-}" ]; then
  __motcua_host=$__motcua_bind
  case "$__motcua_host" in
    0.0.0.0|::|"[::]")
      __motcua_host=$(ip -4 route get 1.1.1.1 2>/dev/null |
        awk '{for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit }}')
      [ -n "$__motcua_host" ] || __motcua_host=$(hostname -I 2>/dev/null | awk '{print $1}')
      [ -n "$__motcua_host" ] || __motcua_host=127.0.0.1
      ;;
  esac
  case "$__motcua_host" in
    \[*) ;;
    *:*) __motcua_host="[$__motcua_host]" ;;  # an IPv6 literal goes in brackets
  esac
  MOTCUA_PUBLIC_BASE_URL="http://$__motcua_host:$__motcua_port"
fi
export MOTCUA_PUBLIC_BASE_URL
# The server must answer to that address too (Django refuses other Host headers with a 400):
# unless DJANGO_ALLOWED_HOSTS is set, it is the local names plus the base URL's host.
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ]; then
  __motcua_host=${MOTCUA_PUBLIC_BASE_URL#*://}
  __motcua_host=${__motcua_host%%/*}
  case "$__motcua_host" in
    \[*) __motcua_host="${__motcua_host%%]*}]" ;;  # [IPv6]:port
    *) __motcua_host=${__motcua_host%%:*} ;;
  esac
  export DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1,[::1],$__motcua_host"
fi
case "$__motcua_bind" in
  127.*|localhost|::1|"[::1]")
    export DJANGO_SILENCED_SYSTEM_CHECKS="${DJANGO_SILENCED_SYSTEM_CHECKS:+$DJANGO_SILENCED_SYSTEM_CHECKS,}motcua.E002"
    ;;
esac
unset __motcua_bind __motcua_port __motcua_host
