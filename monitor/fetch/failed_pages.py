"""Keep the raw bytes of pages that could not be read, for diagnosis (bounded)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path

KEEP_AT_MOST = 200

log = logging.getLogger(__name__)


def keep_failed_page(directory: Path, url: str, body: bytes, reason: str, now: datetime) -> Path | None:
    """Write ``body`` and a JSON note (url, reason, time) to ``directory``; drop the oldest beyond the cap.

    A copy kept for diagnosis must never cost the crawl: when ``directory`` cannot be written
    (the data directory is missing or read-only), it is logged and None returned.
    """
    try:
        return _keep(directory, url, body, reason, now)
    except OSError as exc:
        log.warning(
            "raw page not kept: %s cannot be written (%s); check general.data_dir",
            directory,
            exc.strerror or exc,
            extra={"url": url},
        )
        return None


def _keep(directory: Path, url: str, body: bytes, reason: str, now: datetime) -> Path:
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
