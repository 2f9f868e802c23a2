"""BBS crisis early-warning monitor.

Pipeline: sources -> fetch -> parse -> store -> enrich -> detect -> alert -> deliver.
"""

from __future__ import annotations

__version__ = "0.1.0"
