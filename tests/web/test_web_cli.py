"""`monitor web` and `monitor alerts link` as a user runs them, in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from server_process import wait_until_answering
from web_site import DEMO_CONFIG, SECRET, _open_alert, free_port

from monitor.config.loader import load_config
from monitor.store.db import ensure_schema, make_engine, session_factory

MONITOR = [sys.executable, "-m", "monitor.cli"]


def _setup(tmp_path: Path, port: int) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, directory)
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n[web]\nbase_url = "http://127.0.0.1:{port}"\n',
        encoding="utf-8",
    )
    config = load_config(directory, environ={"MONITOR_WEB_SECRET": SECRET})
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, auto_migrate=True)
    with session_factory(engine).begin() as session:
        _open_alert(session, config)
    engine.dispose()
    return directory


def _env(**extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")} | extra


def test_serve_the_page_for_a_fresh_link_then_stop_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    config = _setup(tmp_path, port)
    env = _env(MONITOR_WEB_SECRET=SECRET)
    made = subprocess.run(
        [*MONITOR, "alerts", "link", "1", "--action", "ack", "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    link = json.loads(made.stdout)
    assert link["for"] == "li_na" and link["url"].startswith(f"http://127.0.0.1:{port}/l/")

    server = subprocess.Popen(
        [*MONITOR, "web", "--config", str(config), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", server, "monitor web")
        page = httpx.get(link["url"])
        assert page.status_code == 200 and "确认 Acknowledge" in page.text
        assert httpx.post(link["url"], data={"do": "ack"}).status_code == 303

        signin = subprocess.run(
            [*MONITOR, "web", "signin-link", "--to", "wang_qiang", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert signin.returncode == 0, signin.stderr
        url = signin.stdout.splitlines()[0]
        assert url.startswith(f"http://127.0.0.1:{port}/signin/")
        assert "王强（客服总监） once, within 15 minutes" in signin.stdout
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            assert browser.post(url).status_code == 303
            listing = browser.get("/alerts?view=all")
            assert listing.status_code == 200 and "王强（客服总监）" in listing.text
            assert 'href="/alerts/1"' in listing.text
            out = subprocess.run(
                [*MONITOR, "web", "signout", "--who", "wang_qiang", "--config", str(config)],
                capture_output=True,
                text=True,
                timeout=60,
                env=env,
            )
            assert out.returncode == 0, out.stderr
            assert "Signed 王强（客服总监） out of the dashboard everywhere" in out.stdout
            assert browser.get("/alerts").headers.get("location") == "/signin"  # a phone left signed in
            assert browser.post(url).status_code == 410  # and its link stays spent
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, stderr
    token = link["url"].rsplit("/", 1)[1]
    assert token not in stdout + stderr  # no access log: a token is a credential
    shown = subprocess.run(
        [*MONITOR, "alerts", "show", "1", "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert json.loads(shown.stdout)["acknowledged_by"] == "li_na (web link)"


def test_without_a_signing_key_nothing_starts(tmp_path: Path) -> None:
    config = _setup(tmp_path, free_port())
    for command in (["web"], ["alerts", "link", "1"], ["web", "signin-link", "--to", "li_na"]):
        done = subprocess.run(
            [*MONITOR, *command, "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert done.returncode == 2, done.stderr
        assert "web.base_url: action links need a signing key in $MONITOR_WEB_SECRET" in done.stderr


def test_a_sign_in_link_for_someone_not_on_the_team_is_refused(tmp_path: Path) -> None:
    config = _setup(tmp_path, free_port())
    done = subprocess.run(
        [*MONITOR, "web", "signin-link", "--to", "nobody", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(MONITOR_WEB_SECRET=SECRET),
    )
    assert done.returncode == 1 and "undefined spokesperson 'nobody'" in done.stderr and done.stdout == ""
    stranger = subprocess.run(
        [*MONITOR, "web", "signin-link", "--to", "ops@corp.invalid", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(MONITOR_WEB_SECRET=SECRET),
    )
    assert stranger.returncode == 1
    assert (
        "'ops@corp.invalid' is no spokesperson's email (routing.yaml) and not among web.viewers"
        in stranger.stderr
    )
    by_email = subprocess.run(  # a spokesperson by the address the sign-in form takes
        [*MONITOR, "web", "signin-link", "--to", "Li.Na@pr.demo.invalid", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(MONITOR_WEB_SECRET=SECRET),
    )
    assert by_email.returncode == 0, by_email.stderr
    assert "/signin/" in by_email.stdout and "李娜" in by_email.stdout
