"""Logging filter that keeps personal data out of logs."""

import logging
import re

# 12-digit citizen IDs, 9-digit old IDs, phone numbers and e-mail addresses.
_PATTERNS = [
    (re.compile(r"\b\d{12}\b"), "[id]"),
    (re.compile(r"\b0\d{9,10}\b"), "[phone]"),
    (re.compile(r"\b\d{9}\b"), "[id]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPIIFilter(logging.Filter):
    """Redacts ID numbers, phone numbers and e-mails from every record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
