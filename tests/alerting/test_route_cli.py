"""`monitor route test`: where a sample alert would go, and a clear error for a group that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_a_sample_alert_shows_its_owner_and_the_routes_it_took(capsys: pytest.CaptureFixture[str]) -> None:
    sample = ["--watch-group", "途乐旅行", "--severity", "very_urgent"]
    code = main(["route", "test", *sample, "--config", str(CONFIG)])
    out = capsys.readouterr().out
    assert code == 0
    assert "alert: watch group 途乐旅行, category service, severity very_urgent" in out
    assert "  route 1: watch group 途乐旅行" in out
    assert "owner: li_na — 李娜（公关部发言人） (backup: 王强（客服总监）)" in out


def test_a_watch_group_that_does_not_exist_is_named_with_the_ones_that_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["route", "test", "--watch-group", "途乐", "--config", str(CONFIG)]) == 1
    captured = capsys.readouterr()
    groups = "途乐旅行, 星耀Pro14, 途乐高管"
    assert f"no watch group '途乐' in watch_groups.yaml; the groups: {groups}" in captured.err
    assert "owner:" not in captured.out  # not silently routed to the root


def test_a_second_group_without_a_route_of_its_own_tells_nobody_more(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """route test had said "their people are told as well" for a group that only reaches the root."""
    sample = ["--watch-group", "途乐高管", "--watch-group", "途乐旅行", "--severity", "urgent"]
    assert main(["route", "test", *sample, "--config", str(CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "alert: watch group 途乐旅行" in out  # its route comes first: it owns the alert
    assert "the thread names 途乐高管 too; " in out and "it has no route: nobody more is told" in out
