"""Logs never carry a citizen's ID number, phone number or e-mail."""

import io
import logging

import pytest

from motcua.core.logging import RedactPIIFilter, redact

CITIZEN_LINE = "Tiếp nhận hồ sơ của CCCD %s, ĐT %s, email %s"
ARGS = ("001203004567", "0912 345 678", "nguyen.van.a@gmail.com")


@pytest.fixture
def configured_console():
    """The console handler Django built from settings.LOGGING, writing into a buffer."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPIIFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_log_line_with_id_phone_and_email_is_written_redacted(configured_console):
    logging.getLogger("motcua.dossiers").warning(CITIZEN_LINE, *ARGS)

    written = configured_console.getvalue()
    assert "Tiếp nhận hồ sơ của CCCD [id], ĐT [phone], email [email]" in written
    for personal in ARGS:
        assert personal not in written


def test_traceback_is_written_redacted(configured_console):
    try:
        raise ValueError("Số CCCD 001203004567 không khớp với ĐT +84912345678")
    except ValueError:
        logging.getLogger("motcua.registry").exception("Tra cứu dân cư thất bại")

    written = configured_console.getvalue()
    assert "Traceback" in written and "ValueError" in written
    assert "001203004567" not in written and "912345678" not in written
    assert "Số CCCD [id] không khớp với ĐT [phone]" in written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCCD 079203001234", "CCCD [id]"),
        ("CMND 123456789", "CMND [id]"),
        ("gọi 0912345678", "gọi [phone]"),
        ("gọi +84 912 345 678", "gọi [phone]"),
        ("gọi 091.234.5678", "gọi [phone]"),
        ("máy bàn 024 3825 1234", "máy bàn [phone]"),
        ("thư a.b+c@ubnd.tanlap.gov.vn", "thư [email]"),
    ],
)
def test_personal_numbers_are_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hồ sơ 000.00.12.H23-250115-0001 chuyển trạng thái 4",
        "xong trong 1234 ms, 2026-01-15 10:00:01",
        "GET /thu-tuc/1.001234/ 200",
    ],
)
def test_operational_details_stay_readable(text):
    assert redact(text) == text


def test_bad_format_arguments_do_not_lose_the_line(caplog):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "ĐT %s %s", ("0912345678",), None)
    assert RedactPIIFilter().filter(record)
    assert "0912345678" not in record.getMessage()
