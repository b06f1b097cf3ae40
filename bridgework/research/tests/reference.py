"""Where the shared reference values live: ../shared/reference beside the checkout, as CI lays it
out (the same place the ICC tests of bridgework/lib read from)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"


def expected(name: str) -> Any:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))
