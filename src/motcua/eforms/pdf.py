"""The filled declaration as the official paper: `render(schema, answers) -> PDF bytes`.

Laid out as the printed tờ khai (national header, title, "Kính gửi", the steps' fields in the
order of the form, the pledge, place and date, signature block) and rendered the way
`dossiers.papers.render` renders the standard papers: a Django template in Vietnamese, WeasyPrint
with Liberation Serif (metric-compatible with Times New Roman, stacks Vietnamese accents
correctly), only `data:` URLs fetched, PDF/A-3b. The few lines of that path are repeated here
because eforms may not import dossiers (docs/architecture.md, direction of dependency).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import engine

PDF_VARIANT = "pdf/a-3b"


class DeclarationRenderError(ValueError):
    """The declaration could not be laid out."""


def _month(value: int) -> str:
    return f"{value:02d}" if value < 3 else str(value)


def date_line(place: str, day: dt.date) -> str:
    text = f"ngày {day.day:02d} tháng {_month(day.month)} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def render_html(
    schema: Any,
    answers: dict[str, Any],
    *,
    addressee: str = "",
    place: str = "",
    signed_on: dt.date | None = None,
    form_number: str = "",
) -> str:
    definition = engine.definition_of(schema)
    number = form_number or getattr(schema, "form_number", "")
    context = {
        "definition": definition,
        "steps": engine.filled_steps(definition, answers),
        "addressee": addressee,
        "date_line": date_line(place, signed_on or timezone.localdate()),
        "form_number": number,
        "signer_name": answers.get("requester_name") or "",
    }
    with translation.override("vi"):
        return render_to_string("eforms/pdf/declaration.html", context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango takes ~0.3 s
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    try:
        fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
            pdf_variant=PDF_VARIANT
        )
    except FatalURLFetchingError as exc:  # a BaseException: would slip past `except Exception`
        raise DeclarationRenderError(str(exc)) from None


def render(schema: Any, answers: dict[str, Any], **kwargs: Any) -> bytes:
    """The filled declaration as PDF bytes (`addressee`, `place`, `signed_on` optional)."""
    return html_to_pdf(render_html(schema, answers, **kwargs))
