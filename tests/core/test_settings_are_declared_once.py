"""Every motcua setting is declared once, with its default, in motcua.settings (issue 11).

Thirty `getattr(settings, "MOTCUA_...", default)` calls used to repeat their defaults (two of
them disagreed with settings.py) and nine settings were read but never declared, so an operator
reading docs/operations.md could not know they existed. The code now reads `settings.MOTCUA_X`;
these checks keep it that way.
"""

import re
from pathlib import Path

import motcua.settings as declared

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
SETTINGS_FILE = SRC / "settings.py"
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
# read from the environment by settings.py under another name (VAR_DIR), by the test harness,
# or a JavaScript global the service worker is given
NOT_SETTINGS = {"MOTCUA_VAR_DIR", "MOTCUA_TEST_NOW", "MOTCUA_SW"}


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        if path != SETTINGS_FILE and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def test_no_code_reads_a_setting_with_a_default_of_its_own():
    offenders = [
        f"{path.relative_to(SRC)}:{text[: m.start()].count(chr(10)) + 1}"
        for path, text in _sources()
        for m in re.finditer(r"getattr\(\s*settings\s*,", text)
    ]
    assert offenders == []


# gunicorn reads its own config file before Django exists (WEB_* values of the page server)
SERVER_CONFIG = {"gunicorn_config.py"}


def test_no_code_reads_the_environment_behind_the_settings_back():
    offenders = [
        str(path.relative_to(SRC))
        for path, text in _sources()
        if re.search(r"os\.environ(?!\.setdefault\(\"DJANGO_SETTINGS_MODULE\")", text)
        and str(path.relative_to(SRC)) not in SERVER_CONFIG
    ]
    assert offenders == []


def test_every_motcua_setting_the_code_names_is_declared():
    named = {
        name for _path, text in _sources() for name in re.findall(r"\b(MOTCUA_[A-Z0-9_]+)\b", text)
    }
    missing = sorted(n for n in named - NOT_SETTINGS if not hasattr(declared, n))
    assert missing == []


def test_every_setting_read_from_the_environment_is_documented_for_operators():
    settings_text = SETTINGS_FILE.read_text(encoding="utf-8")
    from_env = set(re.findall(r'env(?:_\w+)?\(\s*"(MOTCUA_[A-Z0-9_]+)"', settings_text))
    from_env |= set(re.findall(r'os\.environ\.get\(\s*"(MOTCUA_[A-Z0-9_]+)"', settings_text))
    operations = OPERATIONS.read_text(encoding="utf-8")
    undocumented = sorted(n for n in from_env if f"`{n}`" not in operations)
    assert undocumented == []
