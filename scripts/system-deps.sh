#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages motcua uses when they are missing (needs root or sudo).
# `run` needs OCR data, Pango and fonts; `test` also needs Chromium, poppler, espeak-ng and zbar;
# `test` and `loadtest` also need HAProxy (the load balancer of the province topology).
set -euo pipefail
mode=${1:-test}
need=()
if [ "$mode" = test ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)  # tests read printed QR codes
  command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)  # pdfsig trusts the dev root
fi
if [ "$mode" = loadtest ] || [ "$mode" = test ]; then
  command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
fi
# OCR of the counter's scans (ocrmypdf, decisions/0037): the Tesseract program and its
# Vietnamese data (the data package alone does not bring the program)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
dpkg -s tesseract-ocr-vie >/dev/null 2>&1 || need+=(tesseract-ocr-vie)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s fonts-liberation2 >/dev/null 2>&1 || need+=(fonts-liberation2)
[ ${#need[@]} -eq 0 ] && exit 0
echo "motcua: installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "motcua: cannot install ${need[*]}: run as root or install them with apt-get." >&2
    echo "        (web pages still work; browser tests, OCR and PDFs need them)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "motcua: no apt-get here; please install: ${need[*]}" >&2
  exit 0
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || { echo "motcua: apt-get could not install ${need[*]}" >&2; exit 1; }
