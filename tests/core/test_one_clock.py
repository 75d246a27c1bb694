"""The app reads one clock, django.utils.timezone.now, at call time: tests freeze it (the queue's
`clock` fixture, `now=` / `at=`) and `make test-offhours` shifts it (MOTCUA_TEST_NOW in
tests/conftest.py). The machine's date or a `now` bound at import would slip past both."""

import re
from pathlib import Path

import motcua

SRC = Path(motcua.__file__).resolve().parent
FORBIDDEN = re.compile(
    r"datetime\.now\(|datetime\.today\(|date\.today\(|utcnow\("
    r"|from django\.utils\.timezone import [^\n]*\bnow\b"
)


def test_app_code_reads_the_time_through_timezone_now_only():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []
