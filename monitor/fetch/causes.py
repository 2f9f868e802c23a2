"""Why a request failed, in words ops can act on: "connection refused", "host name not found",
"timed out connecting" — not ``ConnectError: All connection attempts failed``.

httpx wraps the operating system's error (a refused connection, a failed name lookup) a few
levels down its exception chain, and with several addresses to try it only says that all of
them failed; :func:`network_cause` walks the chain for the first error that names a cause.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl

import httpx

_TIMEOUTS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "timed out connecting",
    httpx.ReadTimeout: "timed out waiting for the answer",
    httpx.WriteTimeout: "timed out sending the request",
    httpx.PoolTimeout: "timed out waiting for a free connection",
}
_NAME_NOT_FOUND = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
_OS_ERRORS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ETIMEDOUT: "timed out connecting",
}
# When only the message is left (a proxy, another transport, an injected fault): what it says.
_MESSAGES = (
    (re.compile(r"connection refused|actively refused", re.I), "connection refused"),
    (
        re.compile(
            r"name or service not known|nodename nor servname|no address associated|getaddrinfo failed", re.I
        ),
        "host name not found",
    ),
    (re.compile(r"temporary failure in name resolution", re.I), "host name lookup failed (temporary)"),
    (re.compile(r"connection reset", re.I), "connection reset"),
    (re.compile(r"network is unreachable", re.I), "network unreachable"),
    (re.compile(r"no route to host", re.I), "host unreachable"),
    (re.compile(r"timed out", re.I), "timed out"),
)


def network_cause(exc: httpx.TransportError) -> str:
    """A short, plain cause for a request that got no HTTP answer."""
    for kind, words in _TIMEOUTS.items():
        if isinstance(exc, kind):
            return words
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "not an http:// or https:// URL"
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {exc}" if str(exc) else "proxy error"
    for error in _chain(exc):
        found = _os_cause(error)
        if found:
            return found
    for error in _chain(exc):
        for pattern, words in _MESSAGES:
            if pattern.search(str(error)):
                return words
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken answer: {exc}" if str(exc) else "broken answer"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _os_cause(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        if error.errno in _NAME_NOT_FOUND:
            return "host name not found"
        if error.errno == socket.EAI_AGAIN:
            return "host name lookup failed (temporary)"
        return f"host name lookup failed ({error.strerror or error})"
    if isinstance(error, ssl.SSLCertVerificationError):
        why = getattr(error, "verify_message", None) or getattr(error, "reason", None) or error.strerror
        return f"TLS certificate not accepted ({why or error})"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({getattr(error, 'reason', None) or error})"
    if isinstance(error, OSError) and error.errno in _OS_ERRORS:
        return _OS_ERRORS[error.errno]
    return ""


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the errors it was raised from (and, in a group, those it holds), outermost first."""
    found: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        origin = current.__cause__ or current.__context__
        if origin is not None:
            pending.append(origin)
    return found
