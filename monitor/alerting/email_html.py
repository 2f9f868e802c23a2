"""The start of an HTML email (an alert, the weekly digest): on a phone, laid out at the screen's width.

Without the viewport tag a phone's browser (and some mail apps) lays the email out 980 px wide and
shrinks it: the digest's 13 px text came out at about 5 px on a 375 px screen. Long words (a forum
URL, an email address) may break anywhere rather than push the page wider than the screen.
"""

from __future__ import annotations

from html import escape

BODY_STYLE = (
    "font-family:-apple-system,Segoe UI,PingFang SC,Microsoft YaHei,Noto Sans CJK SC,Source Han Sans SC,"
    "sans-serif;"
    "color:#1f2933;max-width:720px;margin:0 auto;padding:16px;overflow-wrap:anywhere"
)


def email_head(title: str) -> str:
    """``<!DOCTYPE …><html><head>…</head><body …>`` for an email titled ``title`` (plain text)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{escape(title, quote=True)}</title></head><body style="{BODY_STYLE}">'
    )
