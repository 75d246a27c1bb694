"""Counts of people with thousands grouped the way the reader expects ("1.190" in Vietnamese):
Django's Vietnamese locale sets no grouping, so `intcomma` prints "1190"."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def count(value) -> str:
    if value in (None, ""):
        return ""
    grouped = f"{int(value):,}"
    return grouped.replace(",", ".") if (get_language() or "vi").startswith("vi") else grouped
