"""Logging filter that keeps personal data out of logs (Decree 13/2023 on personal data).

Regexes catch what code may leak by accident: citizen ID numbers, phone numbers, e-mails, in the
message, its arguments, and in exception tracebacks. Names and addresses cannot be caught by a
pattern: never put them in a log message; log ids of rows instead.
"""

import logging
import re

_PATTERNS = [
    # 12-digit citizen ID (CCCD / personal identification number).
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[id]"),
    # Mobile and landline numbers: 0xx..., +84xx..., 84xx..., with optional spaces, dots, dashes.
    (
        re.compile(r"(?<![\w+])(?:\+84|84|0)[ .-]?\d{2,3}[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\d)"),
        "[phone]",
    ),
    # 9-digit old identity card number (CMND).
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[id]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPIIFilter(logging.Filter):
    """Redacts ID numbers, phone numbers and e-mails from every record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  bad %-args (or a failing str()): keep the template
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so the traceback is written redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
