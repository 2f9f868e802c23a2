"""docs/deployment.md's nginx example, as an admin puts it in place, in front of a real `monitor web`.

Fixtures: the ```nginx block of docs/deployment.md, with what the docs tell the admin to adapt
(the certificate's two files: a trustme CA's) and, to run beside other tests, the listening port
and `monitor web`'s port set to free ones; the demo config (monitor/demo/config) with
web.base_url https://monitor.example.com and a SQLite database. nginx runs from a temporary
prefix (`nginx -t`, then in the foreground). Skipped when nginx is missing, except in CI
(CI=true, where .ci/run installs it), where it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from forum_fixtures import DEMO_CONFIG
from server_process import wait_until_answering

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "deployment.md"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HOST = "monitor.example.com"
SECRET = "k" * 43


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")  # not on a user's PATH
    if found is None:
        reason = "nginx not installed (Debian: apt-get install nginx)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _adapted(block: str, old: str, new: str) -> str:
    assert block.count(old) == 1, f"the docs' nginx example no longer has {old!r} once"
    return block.replace(old, new)


def docs_example() -> str:
    blocks = re.findall(r"^```nginx\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, f"{DOC.name} should have one nginx example, has {len(blocks)}"
    return str(blocks[0])


def nginx_conf(folder: Path, listen: int, upstream: int) -> Path:
    """The docs' server block in a minimal nginx.conf of its own under ``folder``."""
    ca = trustme.CA()
    cert = ca.issue_cert(HOST, "127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    site = docs_example()
    site = _adapted(site, f"/etc/ssl/{HOST}.pem", str(folder / "cert.pem"))
    site = _adapted(site, f"/etc/ssl/private/{HOST}.key", str(folder / "key.pem"))
    site = _adapted(site, "listen 443 ssl;", f"listen 127.0.0.1:{listen} ssl;")
    site = _adapted(site, "http://127.0.0.1:8080", f"http://127.0.0.1:{upstream}")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # Debian's are under /var/lib/nginx
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in kinds)
    conf = folder / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder / 'nginx.pid'};\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n  access_log {folder / 'access.log'};\n  {temp}\n  include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    return conf


def _nginx_argv(conf: Path) -> list[str]:
    return [_nginx(), "-p", str(conf.parent), "-e", str(conf.parent / "error.log"), "-c", str(conf)]


def test_the_docs_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    done = subprocess.run(
        [*_nginx_argv(nginx_conf(tmp_path, 443, 8080)), "-t"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def _web_config(folder: Path, port: int) -> Path:
    config = folder / "config"
    shutil.copytree(DEMO_CONFIG, config)
    (config / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{folder.as_posix()}"\n[smtp]\nenabled = false\n'
        f'[web]\nbase_url = "https://{HOST}"\nlisten_port = {port}\n',
        encoding="utf-8",
    )
    return config


def _wait_through_proxy(client: httpx.Client, nginx: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            client.get("/healthz")
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline and nginx.poll() is None, "nginx did not come up: error.log"
            time.sleep(0.1)


@pytest.fixture
def proxied_web(tmp_path: Path) -> Iterator[tuple[httpx.Client, Path, dict[str, str]]]:
    """`monitor web` behind the docs' nginx example: a client for it, the config, the environment."""
    web_port, proxy_port = _free_port(), _free_port()
    config = _web_config(tmp_path, web_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_WEB_SECRET"] = SECRET
    conf = nginx_conf(tmp_path, proxy_port, web_port)
    with contextlib.ExitStack() as stack:
        web_log = stack.enter_context((tmp_path / "web.log").open("w", encoding="utf-8"))
        web = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "web", "--config", str(config)],
            stdout=web_log, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        stack.callback(web.wait, timeout=30)
        stack.callback(web.terminate)
        nginx = subprocess.Popen([*_nginx_argv(conf), "-g", "daemon off;"])
        stack.callback(nginx.wait, timeout=30)
        stack.callback(nginx.terminate)
        wait_until_answering(f"http://127.0.0.1:{web_port}/healthz", web, "monitor web")
        client = stack.enter_context(
            httpx.Client(
                base_url=f"https://127.0.0.1:{proxy_port}",
                headers={"Host": HOST},
                verify=ssl.create_default_context(cafile=str(tmp_path / "ca.pem")),
                timeout=10,
            )
        )
        _wait_through_proxy(client, nginx)
        yield client, config, env


def test_the_web_pages_and_health_check_answer_through_the_docs_nginx_example(
    proxied_web: tuple[httpx.Client, Path, dict[str, str]], tmp_path: Path
) -> None:
    client, config, env = proxied_web
    health = client.get("/healthz")
    assert (health.status_code, health.text.strip()) == (200, "ok")
    assert health.headers["server"].startswith("nginx")  # it came through the proxy
    signin_page = client.get("/signin")
    assert signin_page.status_code == 200
    assert "frame-ancestors 'none'" in signin_page.headers["content-security-policy"]

    # A sign-in link as `monitorctl web signin-link` prints it, used through the proxy: no forwarded
    # headers are needed for the form check, and the session cookie is Secure (base_url is https).
    said = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "web", "signin-link", "--to", "li_na", "--config", str(config)],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    ).stdout  # fmt: skip
    [link] = re.findall(rf"https://{re.escape(HOST)}(/signin/\S+)", said)
    cross_site = client.post(link, headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    signed_in = client.post(link, headers={"Sec-Fetch-Site": "same-origin", "Origin": f"https://{HOST}"})
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/alerts")
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("monitor_session=") and "; Secure" in cookie and "HttpOnly" in cookie
    alerts = client.get("/alerts")
    assert alerts.status_code == 200 and "<title>" in alerts.text

    # `access_log off`: the signed link in the URL is not written down by the proxy.
    assert not (tmp_path / "access.log").exists() or (tmp_path / "access.log").read_text() == ""
