"""Forms are only taken from the monitor's own pages: a POST sent from another site is refused.

Every form already carries what makes it hard to forge — a sealed link token, or a CSRF token
tied to the session — except one: the sign-in button. Its token is in the link, so someone on
the team could put *their own* link in a page of another site and make a colleague's browser
submit it: the colleague would then be signed in as them, and what they did would be recorded
under the other name (login CSRF). SameSite cookies do not help there, because the request
sets the cookie instead of sending one.

Browsers say where a request comes from, and a page cannot forge it:

* ``Sec-Fetch-Site`` (every current browser): ``same-origin`` for our own forms; ``cross-site``
  or ``same-site`` (another host of the same domain, such as a company forum) is refused.
* ``Origin``, for browsers without it: refused unless it is ``web.base_url``'s origin or the
  request's own. ``Origin: null`` is let through, because our pages send no referrer
  (``Referrer-Policy: no-referrer``) and so a browser sends ``null`` for our own forms.

A request with neither header (curl, a script on the server) is not a browser being led by a
page, and passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REFUSED_SITES = frozenset({"cross-site", "same-site"})


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower case, as a browser writes it in ``Origin``."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def foreign_form(method: str, headers: Mapping[str, str], own_origins: frozenset[str]) -> str | None:
    """Why this request must be refused as sent from another site; None when it may pass.

    ``headers`` are looked up by lower-case name (as Starlette's are); ``own_origins`` are
    the monitor's own origins (from :func:`origin_of`).
    """
    if method.upper() in SAFE_METHODS:
        return None
    site = headers.get("sec-fetch-site", "").strip().lower()
    if site in _REFUSED_SITES:
        return f"the browser says the form came from another site (Sec-Fetch-Site: {site})"
    if site:
        return None  # same-origin, or none (the person's own action, e.g. a bookmark)
    origin = headers.get("origin", "").strip().lower()
    if origin and origin != "null" and origin not in own_origins:
        return f"the form came from {origin[:100]}"
    return None
