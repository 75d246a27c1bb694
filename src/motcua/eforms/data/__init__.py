"""The shipped declarations (declarations.json) and the preview's sample sources."""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
DECLARATIONS_FILE = DATA_DIR / "declarations.json"


def read_declarations() -> list[dict]:
    return json.loads(DECLARATIONS_FILE.read_text(encoding="utf-8"))["declarations"]
