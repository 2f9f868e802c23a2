"""The systemd units in deploy/ pass `systemd-analyze verify` with the `monitor` they run installed.

Fixtures: deploy/*.service, each copied to a temporary folder under its own name with
/opt/monitor/venv/bin/monitor replaced by the `monitor` installed next to this Python (the
project's venv), so systemd checks the unit's keys and values and that each command exists and is
executable. systemd need not be running. Skipped when systemd-analyze is missing, except in CI
(CI=true), where it fails: the CI machine has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
BINARY = "/opt/monitor/venv/bin/monitor"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        reason = "systemd-analyze not installed (Debian: apt-get install systemd)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _installed_monitor() -> Path:
    """The `monitor` script of the environment running the tests (pip install -e puts it there)."""
    for candidate in (Path(sys.executable).parent / "monitor", shutil.which("monitor")):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    pytest.fail("no installed `monitor` command next to this Python: pip install -e '.[dev,postgres]'")


def verify(unit_text: str, name: str, folder: Path) -> list[str]:
    """`systemd-analyze verify` on the unit as `name` in `folder`: the lines it says about this unit."""
    unit = folder / name
    unit.write_text(unit_text.replace(BINARY, str(_installed_monitor())), encoding="utf-8")
    done = subprocess.run(
        [_systemd_analyze(), "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    said = (done.stdout + done.stderr).splitlines()
    # Unknown keys and bad values are warnings with exit 0: every line naming the unit counts.
    ours = [line for line in said if name in line]
    return ours if ours or done.returncode == 0 else said


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_a_unit_passes_systemd_analyze_verify(unit: Path, tmp_path: Path) -> None:
    text = unit.read_text(encoding="utf-8")
    assert BINARY in text
    assert verify(text, unit.name, tmp_path) == []


def test_verify_reports_a_misspelt_key_a_bad_value_and_a_missing_command(tmp_path: Path) -> None:
    text = (DEPLOY / "monitor.service").read_text(encoding="utf-8")
    broken = {
        "Type=simple": "Typ=simple",
        "ProtectSystem=strict": "ProtectSystem=strictly",
        f"ExecStart={BINARY} run": "ExecStart=/opt/monitor/venv/bin/monitorr run",
    }
    for old, new in broken.items():
        assert old in text
        said = verify(text.replace(old, new), "monitor.service", tmp_path)
        assert said, f"systemd-analyze verify said nothing of {new!r}"
