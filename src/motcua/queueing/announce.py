"""What the hall hears when a number is called: the text, how it is read aloud, the audio.

The board shows "Mời công dân có số A012 đến quầy số 3". Aloud, the ticket code is read letter
by its Vietnamese name and then digit by digit ("a, không một hai"): it matches the printed slip
character for character, keeps the leading zeros a citizen sees on the paper, and avoids the
number-reading variants that differ between regions (mốt/một, lăm/năm, linh/lẻ). The counter
number is short and read as a number ("quầy số mười hai"). docs/decisions/0009-display-board.md.

Audio is made offline with espeak-ng's Vietnamese voice, because the cheap TV boxes in commune
halls often have no Vietnamese speech-synthesis voice; files are cached on disk by text hash.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

from django.conf import settings
from django.urls import reverse

log = logging.getLogger(__name__)

TICKET_CODE = re.compile(r"^[A-Z][0-9]{3,4}$")
COUNTER_NUMBER = re.compile(r"^[1-9][0-9]{0,2}$")
ESPEAK_TIMEOUT = 10

# Vietnamese names of the letters as read in schools (a, bê, xê...).
LETTERS = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
}
DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


class AnnouncementUnavailable(Exception):
    """No speech engine on this server: the board shows the text only."""


def announcement_text(ticket_code: str, counter_number: int | str) -> str:
    """The sentence shown on the board (and the console)."""
    return f"Mời công dân có số {ticket_code} đến quầy số {counter_number}"


def read_number(n: int) -> str:
    """0-999 in words, northern usage (mười lăm, hai mươi mốt, một trăm linh năm)."""
    if n < 0 or n > 999:
        return " ".join(DIGITS[int(d)] for d in str(n))
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
        if unit == 0:
            return head
        if unit == 5:
            tail = "lăm"
        elif unit == 1 and tens > 1:
            tail = "mốt"
        elif unit == 4 and tens > 1:
            tail = "tư"
        else:
            tail = DIGITS[unit]
        return f"{head} {tail}"
    hundreds, rest = divmod(n, 100)
    head = f"{DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} linh {DIGITS[rest]}"
    return f"{head} {read_number(rest)}"


def spoken_code(ticket_code: str) -> str:
    """ "A012" -> "a, không một hai": the letter's name, then each digit."""
    letter, digits = ticket_code[0], ticket_code[1:]
    name = LETTERS.get(letter.upper(), letter)
    return f"{name}, " + " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def spoken_text(ticket_code: str, counter_number: int | str) -> str:
    """The sentence as a speech engine should read it (commas give the pauses)."""
    return (
        f"Mời công dân có số, {spoken_code(ticket_code)}, "
        f"đến quầy số {read_number(int(counter_number))}."
    )


def audio_path(unit_code: str, ticket_code: str, counter_number: int) -> str:
    """URL of the server-made WAV for one call."""
    return reverse(
        "queueing:display_audio",
        kwargs={"unit_code": unit_code, "name": f"{ticket_code}-{counter_number}"},
    )


# --- audio -----------------------------------------------------------------------------------


def _cache_dir() -> Path:
    path = Path(settings.VAR_DIR) / "announcements"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write beside, then rename: two requests making the same file never serve half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def espeak_binary() -> str | None:
    return shutil.which(settings.MOTCUA_ESPEAK_BINARY)


def announcement_audio(text: str) -> bytes:
    """WAV bytes of `text` in espeak-ng's Vietnamese voice, made once and cached by hash."""
    key = hashlib.sha256(f"vi|{text}".encode()).hexdigest()
    path = _cache_dir() / f"{key}.wav"
    if path.exists():
        return path.read_bytes()
    binary = espeak_binary()
    if binary is None:
        raise AnnouncementUnavailable("espeak-ng is not installed")
    try:
        result = subprocess.run(  # a fixed binary; the text is one argument, no shell
            [binary, "-v", "vi", "-s", "140", "--stdout", text],
            capture_output=True,
            timeout=ESPEAK_TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise AnnouncementUnavailable(f"espeak-ng failed: {exc}") from exc
    data = result.stdout
    if not data.startswith(b"RIFF") or data[8:12] != b"WAVE":
        raise AnnouncementUnavailable("espeak-ng did not return a WAV file")
    _write_atomic(path, data)
    return data


def chime(sample_rate: int = 22050) -> bytes:
    """A two-tone "ding-dong" (E5 then C5, fading), 16-bit mono WAV, made once and cached."""
    path = _cache_dir() / "chime.wav"
    if path.exists():
        return path.read_bytes()
    frames = bytearray()
    for freq, seconds in ((659.25, 0.45), (523.25, 0.7)):
        count = int(sample_rate * seconds)
        for i in range(count):
            t = i / sample_rate
            envelope = math.exp(-3.5 * t / seconds) * min(1.0, i / (0.01 * sample_rate))
            sample = envelope * (
                0.7 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(4 * math.pi * freq * t)
            )
            frames += struct.pack("<h", int(sample * 0.8 * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(bytes(frames))
    data = buffer.getvalue()
    _write_atomic(path, data)
    return data
