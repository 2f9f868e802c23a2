"""Signed action links: what they carry, and every way a link can be wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.web.links import LinkError, LinkSigner

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SIGNER = LinkSigner("k" * 40, "https://monitor.example.com/pr/", timedelta(hours=72))


def test_a_link_carries_alert_action_recipient_and_expiry() -> None:
    url = SIGNER.url(7, "ack", "li_na", NOW)
    assert url.startswith("https://monitor.example.com/pr/l/")
    claim = SIGNER.verify(url.rsplit("/", 1)[1], NOW + timedelta(hours=71, minutes=59))
    assert (claim.alert_id, claim.action, claim.recipient) == (7, "ack", "li_na")
    assert claim.expires_at == NOW + timedelta(hours=72) == SIGNER.expires_at(NOW)


def test_a_link_expires_on_the_second() -> None:
    token = SIGNER.token(7, "contacted", "li_na", NOW)
    SIGNER.verify(token, NOW + timedelta(hours=72) - timedelta(seconds=1))
    with pytest.raises(LinkError) as caught:
        SIGNER.verify(token, NOW + timedelta(hours=72))
    assert caught.value.expired and caught.value.expired_at == NOW + timedelta(hours=72)


def _swap(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_any_change_to_a_token_breaks_it() -> None:
    token = SIGNER.token(7, "ack", "li_na", NOW)
    body, signature = token.split(".")
    for index in range(len(body)):
        with pytest.raises(LinkError) as caught:
            SIGNER.verify(f"{_swap(body, index)}.{signature}", NOW)
        assert not caught.value.expired
    for index in range(len(signature)):
        with pytest.raises(LinkError):
            SIGNER.verify(f"{body}.{_swap(signature, index)}", NOW)
    with pytest.raises(LinkError):
        SIGNER.verify(token[:-1], NOW)  # cut short by a mail client


def test_a_link_made_for_one_alert_or_person_cannot_be_moved_to_another() -> None:
    other = SIGNER.token(8, "ack", "wang_qiang", NOW)
    mine = SIGNER.token(7, "ack", "li_na", NOW)
    forged = f"{other.split('.')[0]}.{mine.split('.')[1]}"
    with pytest.raises(LinkError):
        SIGNER.verify(forged, NOW)


def test_another_key_or_garbage_is_invalid_not_expired() -> None:
    token = SIGNER.token(7, "ack", "li_na", NOW)
    rotated = LinkSigner("z" * 40, SIGNER.base_url, SIGNER.ttl)
    for bad in (token, "", ".", "abc", "abc.def", "a.b.c", "%%%.%%%"):
        with pytest.raises(LinkError) as caught:
            rotated.verify(bad, NOW)
        assert not caught.value.expired and "not valid" in str(caught.value)


def test_a_well_signed_token_with_bad_contents_is_refused() -> None:
    import base64

    from monitor.web.sealed import signature

    body = base64.urlsafe_b64encode(b'{"a":"x","d":"delete","r":"li_na","x":1}').rstrip(b"=").decode()
    with pytest.raises(LinkError, match="cannot be read"):
        SIGNER.verify(f"{body}.{signature(SIGNER.secret, b'monitor-action-link-v1:', body)}", NOW)
