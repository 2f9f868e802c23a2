"""One rule for the email addresses people write in the config: a spokesperson's ``email``
(routing.yaml), ``[digest] recipients`` given as addresses and ``[web] viewers`` (monitor.toml).

An address is ``local@domain``: no spaces and one ``@``; the domain is dot-separated labels of
letters, digits and hyphens (internationalised names too) with at least one dot, since a bare
``@newteam`` reaches nobody once the message leaves the machine. Deliberately not the whole of
RFC 5322 (quoted local parts, ``Name <addr>``): what it refuses is a typo in practice.
"""

from __future__ import annotations

import re

_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"  # letters and digits (any script), hyphens inside
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_LOCAL = re.compile(r"[^\s@\"(),:;<>\[\]\\]+")


def address_problem(text: str) -> str | None:
    """Why ``text`` is not an email address, or None when it is one."""
    if not text:
        return "it is empty"
    if any(c.isspace() for c in text):
        return "it contains a space (one address per entry)"
    if text.count("@") != 1:
        return "it has no @" if "@" not in text else "it has more than one @"
    local, domain = text.split("@")
    if not local or not _LOCAL.fullmatch(local) or local.startswith(".") or local.endswith("."):
        return f"the part before the @ ({local!r}) is not a mailbox name"
    if ".." in local:
        return "the part before the @ has two dots in a row"
    if "." not in domain:
        return f"its domain {domain!r} has no dot (e.g. {local}@{domain or 'example'}.com)"
    if not _DOMAIN.fullmatch(domain):
        return f"its domain {domain!r} is not a domain name"
    return None


def email_address(value: str) -> str:
    """A pydantic validator: ``value`` stripped, or ValueError saying what is wrong with it."""
    address = value.strip()
    problem = address_problem(address)
    if problem is not None:
        raise ValueError(f"{address!r} is not an email address: {problem}")
    return address
