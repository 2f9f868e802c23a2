"""`monitor demo --serve`: the demo's emails carry working links, and its alert pages are served."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
from web_site import free_port

from monitor.store.db import make_engine, session_factory
from monitor.store.models import Alert


def test_demo_serve_links_in_the_emails_open_the_alert_page(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "demo", "--output", str(tmp_path), "--serve", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 240
        for line in process.stdout:
            lines.append(line)
            if line.startswith(f"  http://127.0.0.1:{port}/signin/"):
                break
            assert time.monotonic() < deadline
        printed = "".join(lines)
        assert "Demo went as scripted" in printed
        [view] = [x.split(": ", 1)[1].strip() for x in lines if x.startswith("  alert #1 for li_na: ")]
        assert view.startswith(f"http://127.0.0.1:{port}/l/")
        for _ in range(100):
            try:
                page = httpx.get(view, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert page.status_code == 200 and "途乐旅行收了我2万8团费" in page.text

        first = sorted((tmp_path / "mail").glob("*.eml"))[0]
        mail = BytesParser(policy=policy.default).parsebytes(first.read_bytes())
        text = mail.get_body(("plain",)).get_content()
        [ack] = re.findall(rf"确认 Acknowledge: (http://127\.0\.0\.1:{port}/l/\S+)", text)
        assert 'value="ack"' in httpx.get(ack).text
        assert httpx.post(ack, data={"do": "ack"}).status_code == 303
        assert "li_na (web link)" in httpx.get(view).text

        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:  # the dashboard, signed in
            assert browser.post(lines[-1].strip()).status_code == 303
            listing = browser.get("/alerts?view=all").text
            assert "途乐旅行收了我2万8团费" in listing and "非常紧迫 very urgent" in listing
            rising = browser.get("/threads").text  # the detector's view, from the demo's crawl
            assert '<a href="/alerts/1">告警 Alert #1</a>' in rising and "我也遇到了" in rising
            assert "below the alert threshold" in rising  # the quiet watched threads are there too
            forums = browser.get("/sources").text  # every board of the demo forum was read
            assert forums.count(">正常 ok</span>") == 3 and "failing" not in forums
            digests = browser.get("/digests").text
            [digest] = re.findall(r'href="(/digests/\d+)"', digests)
            assert "途乐旅行" in browser.get(digest).text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
    with session_factory(engine)() as session:
        alert = session.get(Alert, 1)
        assert alert is not None and alert.acknowledged_by == "li_na (web link)"
        assert alert.acknowledged_at is not None and alert.acknowledged_at > max(
            e.at for e in alert.events[:-1]
        )
    engine.dispose()
