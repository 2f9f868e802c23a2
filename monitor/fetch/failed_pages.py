"""Keep the raw bytes of pages that could not be read, for diagnosis (bounded)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

KEEP_AT_MOST = 200


def keep_failed_page(directory: Path, url: str, body: bytes, reason: str, now: datetime) -> Path:
    """Write ``body`` and a JSON note (url, reason, time) to ``directory``; drop the oldest beyond the cap."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body).hexdigest()[:16]
    path = directory / f"{now:%Y%m%dT%H%M%SZ}-{digest}.bin"
    path.write_bytes(body)
    note = {"url": url, "reason": reason, "at": now.isoformat(), "bytes": len(body), "sha256_16": digest}
    path.with_suffix(".json").write_text(json.dumps(note, ensure_ascii=False, indent=1), encoding="utf-8")
    kept = sorted(directory.glob("*.bin"))
    for old in kept[: max(0, len(kept) - KEEP_AT_MOST)]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)
    return path
