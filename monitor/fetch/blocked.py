"""A forum's firewall, anti-bot challenge or CAPTCHA answering instead of the page asked for.

Forums in China sit behind web application firewalls — 安全狗, 云锁, 宝塔, 阿里云盾, 腾讯云 WAF,
Cloudflare — that answer a crawler they distrust with a page of their own, often with HTTP 200.
:func:`find_block` tells such a page from the forum's, and :class:`PageBlocked` is the failed fetch
it makes, with a reason a person understands::

    blocked by the forum's firewall (安全狗): 您的请求带有不合法参数，已被网站管理员设置拦截 (HTTP 200)
    a browser challenge (Cloudflare) — this forum cannot be read without a browser (HTTP 503, cf-ray …)
    a CAPTCHA (验证码) — the forum wants a person to solve it before it shows pages (HTTP 200)

Kinds (the health event's): ``blocked`` (a firewall's block page, Discuz!'s own request check
"您的请求来路不正确或表单验证串不符"), ``challenge`` (a page only a browser gets past: Cloudflare's
"Just a moment...", a JavaScript cookie check), ``captcha``. Asking again at once cannot help, so
the fetcher does not retry such an answer and leaves the host alone for :data:`BLOCK_REST_SECONDS`.

Detection is conservative. An error answer (403, 405, 501, 503 …) is checked as it comes; a 200
page only once its parser could not read it, or read nothing from it (:mod:`monitor.crawl_blocked`)
— a thread titled "网站防火墙拦截了我的退款" is a thread. The signs are the guards' own: headers
(``cf-mitigated: challenge``, ``cf-ray``), their names and addresses (safedog, yunsuo,
errors.aliyun.com), their fixed phrases; a page of more than :data:`LONGEST_BLOCK_PAGE` characters
with no header sign is never taken for one. What is quoted in a reason is this module's own words,
never the page's. Discuz!'s "thread deleted or under review" message is not a block
(:mod:`monitor.crawl_failures` names it ``thread_gone``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from monitor.fetch.decode import decode_page
from monitor.fetch.response import HTTPStatusError

BLOCK_REST_SECONDS = 1800.0
"""How long a host whose firewall answered is left alone: its pages fail at once meanwhile."""
LONGEST_BLOCK_PAGE = 50_000
"""Characters: a longer page is only taken for a block page on a header's word (a forum page is longer)."""

BLOCKED, CHALLENGE, CAPTCHA = "blocked", "challenge", "captcha"
KINDS = (BLOCKED, CHALLENGE, CAPTCHA)

_SAYS = {
    BLOCKED: "blocked by the forum's firewall",
    CHALLENGE: "a browser challenge",
    CAPTCHA: "a CAPTCHA",
}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_REF = (
    re.compile(r"ray id:?\s*([0-9a-f]{16})", re.I),
    re.compile(
        r"(?:请求ID|请求 ID|request ?id|traceid|事件ID)[^0-9A-Za-z]{0,40}([0-9A-Za-z][\w-]{7,63})", re.I
    ),
)
# Phrases a guard's page says, the first found quoted in the reason (this module's words, not the page's).
_PHRASES = (
    "您的请求带有不合法参数，已被网站管理员设置拦截",
    "您的访问被阻断",
    "您的请求已被拦截",
    "请求已被云锁拦截",
    "您的请求来路不正确或表单验证串不符",
    "Sorry, you have been blocked",
    "访问过于频繁",
)


@dataclass(frozen=True)
class Block:
    """Who answered instead of the forum (``guard``), the kind of answer, its status and the
    request id it shows (``ref``: for the forum's admin, who can look it up)."""

    kind: str
    guard: str
    status: int
    phrase: str = ""
    ref: str = ""

    @property
    def reason(self) -> str:
        said = f": {self.phrase}" if self.phrase else ""
        where = f"HTTP {self.status}" + (f", {self.ref}" if self.ref else "")
        if self.guard == DISCUZ_CHECK:
            return f"refused by the forum ({DISCUZ_CHECK}){said} ({where})"
        if self.kind == CHALLENGE:
            without = "this forum cannot be read without a browser"
            return f"{_SAYS[CHALLENGE]} ({self.guard}) — {without} ({where})"
        if self.kind == CAPTCHA:
            return (
                f"{_SAYS[CAPTCHA]} ({self.guard}) — the forum wants a person to solve it before it shows "
                f"pages{said} ({where})"
            )
        return f"{_SAYS[BLOCKED]} ({self.guard}){said} ({where})"


DISCUZ_CHECK = "Discuz! request check"


class PageBlocked(HTTPStatusError):
    """The forum's firewall, a challenge or a CAPTCHA answered instead of the page: ``block`` says
    which; ``body`` is what it sent (kept for diagnosis)."""

    def __init__(self, url: str, block: Block, body: bytes) -> None:
        super().__init__(url, block.reason, status=block.status, body=body)
        self.block = block


def kind_of_reason(reason: str) -> str | None:
    """The kind a reason this module wrote names (also when a resting host's refusal repeats it)."""
    if reason.startswith(f"refused by the forum ({DISCUZ_CHECK})"):
        return BLOCKED
    return next((kind for kind, said in _SAYS.items() if reason.startswith(said)), None)


def find_block(status: int, headers: Mapping[str, str], text: str) -> Block | None:
    """The guard that answered with this page, or ``None`` when nothing says one did."""
    server = headers.get("server", "").lower()
    lowered = text.lower()
    title = _TITLE.search(text)
    heading = title.group(1).strip().lower() if title else ""
    phrase = next((p for p in _PHRASES if p.lower() in lowered), "")
    ref = _ref(headers, text)

    def block(kind: str, guard: str) -> Block:
        return Block(kind, guard, status, "" if kind == CHALLENGE else phrase, ref)

    cloudflare = "cloudflare" in server or "cf-ray" in headers
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return block(CHALLENGE, "Cloudflare")
    if cloudflare and status >= 400 and "attention required" in heading:
        return block(BLOCKED, "Cloudflare")
    if cloudflare and status >= 400 and ("just a moment" in heading or "challenge-platform" in lowered):
        return block(CHALLENGE, "Cloudflare")
    if "yunsuo" in server and status >= 400:
        return block(BLOCKED, "云锁")
    if len(text) > LONGEST_BLOCK_PAGE:
        return None
    if "/cdn-cgi/challenge-platform/" in lowered or "_cf_chl_opt" in lowered:
        return block(CHALLENGE, "Cloudflare")
    if "attention required! | cloudflare" in heading:
        return block(BLOCKED, "Cloudflare")
    if "您的请求来路不正确或表单验证串不符" in text:
        return block(BLOCKED, DISCUZ_CHECK)
    for guard, names in _GUARDS:
        if any(name in lowered for name in names) and (phrase or "防火墙" in text or "拦截" in text):
            return block(BLOCKED, guard)
    if (phrase and phrase != "访问过于频繁") or "网站防火墙" in heading:
        return block(BLOCKED, "a web firewall")
    if "document.cookie" in lowered and "location" in lowered and len(_visible(text)) < 200:
        return block(CHALLENGE, "a JavaScript cookie check")
    if any(word in heading or word in lowered for word in _CAPTCHA_WORDS) and len(_visible(text)) < 2000:
        return block(CAPTCHA, "验证码")
    return None


_GUARDS = (
    ("安全狗", ("safedog", "安全狗")),
    ("云锁", ("yunsuo", "云锁")),
    ("宝塔", ("宝塔",)),
    ("阿里云盾", ("errors.aliyun.com", "aliyun", "阿里云")),
    ("腾讯云 WAF", ("qcloud/security", "tencent-cloud", "腾讯云")),
)
_CAPTCHA_WORDS = ("验证码", "captcha", "人机验证", "滑动验证", "安全验证")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.I | re.S)


def _visible(text: str) -> str:
    """The page's words, without its markup, scripts and styles."""
    return " ".join(_MARKUP.sub(" ", text).split())


def _ref(headers: Mapping[str, str], text: str) -> str:
    """The request id the guard shows, to give the forum's admin: ``cf-ray …``, ``request id …``."""
    if headers.get("cf-ray"):
        return f"cf-ray {headers['cf-ray'][:40]}"
    if headers.get("eagleid"):
        return f"request id {headers['eagleid'][:64]}"
    words = _visible(text)
    for pattern in _REF:
        found = pattern.search(words)
        if found:
            return f"request id {found.group(1)}"
    return ""


def blocked_answer(status: int, headers: httpx.Headers, body: bytes) -> Block | None:
    """:func:`find_block` for an answer as it arrived (its body decoded as its headers say)."""
    return find_block(status, headers, decode_page(body, headers.get("content-type")))
