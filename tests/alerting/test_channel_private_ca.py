"""A webhook on the company's own network, its HTTPS certificate issued by a private CA: the chat
channels trust ``[fetch] ca_bundle`` as the crawler does (a real TLS server on loopback, a trustme CA)."""

from __future__ import annotations

import dataclasses
import ssl
from pathlib import Path

import pytest
import trustme
from chat_receivers import WebhookReceiver, sample_alert

from monitor.alerting.channels.base import ChatDeliveryError
from monitor.alerting.channels.registry import parse_target
from monitor.app import make_channels
from monitor.config.loader import load_config


def test_a_webhook_with_a_private_ca_is_reached_once_ca_bundle_names_it(
    tmp_path: Path, fixture_config: Path
) -> None:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    bundle = tmp_path / "intranet-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with WebhookReceiver(tls=server) as receiver:
        target = parse_target(f"webhook+{receiver.url}/hooks/pr")
        toml = fixture_config / "monitor.toml"
        plain = load_config(fixture_config, environ={})
        chat = make_channels(dataclasses.replace(plain, chat_targets={"li": [target]}), None).chat
        assert chat is not None
        with pytest.raises(ChatDeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            chat.send(sample_alert(), target)
        chat.close()

        trusted = f'[fetch]\nca_bundle = "{bundle.as_posix()}"\n'
        toml.write_text(toml.read_text(encoding="utf-8").replace("[fetch]\n", trusted), encoding="utf-8")
        trusting = load_config(fixture_config, environ={})
        chat = make_channels(dataclasses.replace(trusting, chat_targets={"li": [target]}), None).chat
        assert chat is not None
        assert chat.send(sample_alert(), target) == "ok"
        chat.close()
    assert len(receiver.requests) == 1 and receiver.requests[0].path == "/hooks/pr"
