"""Which certificate authorities the crawler trusts for a forum's HTTPS.

The usual public ones (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when the
environment sets them, as httpx reads them), and those of ``[fetch] ca_bundle``: an intranet
forum whose certificate a private CA issued. Trusting a CA changes nothing else: the
certificate is still checked against the forum's host name, which is also the name sent as
SNI, although :mod:`.addresses` connects to the address it checked
(``tests/fetch/test_addresses_tls.py`` shows both with a real certificate).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx


def tls_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """httpx's default verifying context, with the CAs in ``ca_bundle`` (PEM) trusted as well."""
    context = httpx.create_ssl_context()
    if ca_bundle is not None:
        context.load_verify_locations(cafile=ca_bundle)
    return context
