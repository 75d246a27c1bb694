"""Which paper a procedure's result is, and which components need it (issue 12 items 6, 8).

One explicit rule, read from the catalog's own data, used by "Giấy tờ của tôi" (a result's
"Dùng cho hồ sơ mới") and by the filing flow (an issued result offered for reuse):

- the papers a procedure's result *is* are its `result_type` cut at each ";" with the
  parenthesised remarks dropped ("Giấy khai sinh (bản chính; bản điện tử)" -> "Giấy khai
  sinh"; "Giấy khai sinh; Trích lục đăng ký nhận cha, mẹ, con" -> both), and the
  `ResultValidity.result` name where one is recorded; names of fewer than two words are
  ignored (too vague to match);
- a component needs that paper when its name, folded (`core.text.fold`: no diacritics, lower
  case), contains one of those names, folded, as whole words ("Giấy khai sinh của trẻ em",
  "Giấy báo tử hoặc trích lục khai tử"). "Bản sao", "bản chính" and the like are part of
  neither side's match, so a certified copy's component still matches the issued original.

A result decides its own paper (a "Quyết định ..." result is a decision letter, which a
component naming "Quyết định ..." may then need). Nothing is guessed beyond this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from motcua.core.text import fold

_PAREN = re.compile(r"\([^)]*\)")
MIN_WORDS = 2


def result_papers(result_type: str, *extra: str) -> list[str]:
    """The folded names of the papers a result of this kind is."""
    names: list[str] = []
    for raw in [*_PAREN.sub(" ", result_type or "").split(";"), *extra]:
        name = fold(_PAREN.sub(" ", raw or "")).strip(" .,:")
        if len(name.split()) >= MIN_WORDS and name not in names:
            names.append(name)
    return names


def needs(component_name: str, papers: Iterable[str]) -> bool:
    """Whether a component of this name asks for one of these (folded) papers."""
    text = f" {fold(component_name)} "
    text = re.sub(r"[^a-z0-9 ]", " ", text)
    text = f" {' '.join(text.split())} "
    for paper in papers:
        words = " ".join(re.sub(r"[^a-z0-9 ]", " ", paper).split())
        if words and f" {words} " in text:
            return True
    return False
