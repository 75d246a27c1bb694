"""The English catalogue is complete, and the committed .mo says what the .po says.

A string without an English msgstr, or one left "fuzzy" by makemessages (a guess from a similar
string, often wrong: "Thống kê hàng đợi" was guessed as "The number of days cannot be
negative."), shows Vietnamese or nonsense on an English page. The .mo is committed (no build
step), so a forgotten compilemessages ships the old text.
"""

import ast
import gettext
import re
from pathlib import Path

import motcua

LC = Path(motcua.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def entries() -> list[dict]:
    """The .po's entries (header and obsolete ones left out) as {keyword: text, "flags": [...]}."""
    found = []
    for block in (LC / "django.po").read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [f.strip() for f in line[2:].split(",")]
            elif m := KEYWORD.match(line):
                key = m.group(1)
                entry[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            found.append(entry)
    return found


def msgstrs(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def test_every_string_has_an_english_translation_and_none_is_fuzzy():
    found = entries()
    assert len(found) > 1000
    untranslated = [e["msgid"] for e in found if not all(msgstrs(e))]
    fuzzy = [e["msgid"] for e in found if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (LC / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for e in entries():
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            assert [compiled.get((key, i)) for i in range(2)] == msgstrs(e), e["msgid"]
        else:
            assert compiled.get(key) == e["msgstr"], e["msgid"]
