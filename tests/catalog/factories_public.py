"""Small, explicit builders for the public catalog pages' tests (no factory library)."""

import itertools
from decimal import Decimal

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    FormTemplate,
    GuideStep,
    HowToGuide,
    Procedure,
    ProcessStep,
)
from motcua.core.models import Unit

_seq = itertools.count(1)


def make_unit(*, name: str = "Xã Phú Thành", code: str | None = None, **kw) -> Unit:
    n = next(_seq)
    return Unit.objects.create(
        code=code or f"{29000 + n}", name=name, kind=kw.pop("kind", Unit.Kind.COMMUNE), **kw
    )


def make_field(name: str = "Hộ tịch", code: str | None = None) -> Field:
    field, _ = Field.objects.get_or_create(
        name=name, defaults={"code": code or f"field-{next(_seq)}"}
    )
    return field


def make_procedure(
    *,
    name: str = "Thủ tục đăng ký khai sinh",
    unit: Unit | None = None,
    field: Field | str | None = None,
    code: str | None = None,
    is_published: bool = True,
    **kw,
) -> Procedure:
    if field is None or isinstance(field, str):
        field = make_field(field or "Hộ tịch")
    kw.setdefault("processing_days", Decimal("5"))
    kw.setdefault("confidence", Procedure.Confidence.VERIFIED)
    return Procedure.objects.create(
        unit=unit or Unit.objects.first() or make_unit(),
        code=code or f"1.{next(_seq):06d}",
        name=name,
        field=field,
        is_published=is_published,
        **kw,
    )


def add_fee(procedure: Procedure, amount_vnd: int | None, **kw) -> Fee:
    return Fee.objects.create(procedure=procedure, amount_vnd=amount_vnd, **kw)


def add_component(procedure: Procedure, name: str, **kw) -> Component:
    kw.setdefault("order", procedure.components.count() + 1)
    return Component.objects.create(procedure=procedure, name=name, **kw)


def add_step(procedure: Procedure, name: str, days: str = "1", **kw) -> ProcessStep:
    kw.setdefault("order", procedure.steps.count() + 1)
    return ProcessStep.objects.create(procedure=procedure, name=name, days=Decimal(days), **kw)


def add_form(procedure: Procedure, title: str, url: str = "https://example.org/mau.docx"):
    return FormTemplate.objects.create(procedure=procedure, title=title, url=url)


def add_guide(procedure: Procedure, steps: list[str], *, is_published: bool = True, **kw):
    guide = HowToGuide.objects.create(procedure=procedure, is_published=is_published, **kw)
    for order, text in enumerate(steps, start=1):
        GuideStep.objects.create(guide=guide, order=order, text=text)
    return guide
