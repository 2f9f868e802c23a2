"""Configuration: service settings (TOML) and the files ops and PR staff edit (YAML).

Precedence, lowest first: built-in defaults < files < environment < command line.
"""

from __future__ import annotations

from monitor.config.loader import MonitorConfig, load_config

__all__ = ["MonitorConfig", "load_config"]
