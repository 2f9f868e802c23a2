"""Charts a mail client will show: unicode bars and sparklines for plain text, table-cell bars for HTML.

No SVG and no images (many mail clients strip the one and block the other): an HTML bar is a
table whose cells have percentage widths and background colours, styled inline.
"""

from __future__ import annotations

from collections.abc import Sequence

BAR_WIDTH = 24  # characters of the longest text bar
SPARKS = "▁▂▃▄▅▆▇█"
NO_SPARK = "·"  # a point with nothing to show (no scored posts that day)
_EIGHTHS = " ▏▎▍▌▋▊▉"  # a part-filled cell, in eighths of a character

NEGATIVE_COLOUR = "#b91c1c"
OTHER_COLOUR = "#9fb3c8"
LAST_WEEK_COLOUR = "#d9e2ec"


def text_bar(value: int, biggest: int, width: int = BAR_WIDTH) -> str:
    """``████▍``: ``value`` as a bar of ``width`` characters at ``biggest``, to the eighth of a character.

    Zero (or nothing to scale to) is an empty bar; any other value shows at least one eighth.
    """
    if value <= 0 or biggest <= 0:
        return ""
    eighths = max(1, round(min(value, biggest) / biggest * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def sparkline(values: Sequence[float | None], top: float | None = None) -> str:
    """``▁▃█▅``: one character per value, ``▁`` at zero and ``█`` at ``top`` (default: the largest).

    ``None`` is shown as ``·``; with nothing above zero every point is ``▁``.
    """
    known = [value for value in values if value is not None]
    scale = top if top is not None else max(known, default=0.0)
    line: list[str] = []
    for value in values:
        if value is None:
            line.append(NO_SPARK)
        elif scale <= 0 or value <= 0:
            line.append(SPARKS[0])
        else:
            step = round(min(value, scale) / scale * (len(SPARKS) - 1))
            line.append(SPARKS[step])
    return "".join(line)


def percent_of(value: int, biggest: int) -> float:
    """``value`` as a percentage of ``biggest`` (0 when there is nothing to compare with)."""
    if value <= 0 or biggest <= 0:
        return 0.0
    return min(value, biggest) / biggest * 100


def html_bar(width_percent: float, negative_share: float | None, height: int = 14) -> str:
    """A bar ``width_percent`` wide, its first ``negative_share`` part in red (all grey-blue if unknown).

    An empty string for a zero-width bar, so a day without posts shows no bar at all.
    """
    if width_percent <= 0:
        return ""
    negative = round((negative_share or 0.0) * 100, 1)
    cells = []
    if negative > 0:
        cells.append(_cell(negative, NEGATIVE_COLOUR, height))
    if negative < 100:
        cells.append(_cell(100 - negative, OTHER_COLOUR, height))
    return _bar_table(width_percent, "".join(cells))


def html_thin_bar(width_percent: float, colour: str = LAST_WEEK_COLOUR, height: int = 5) -> str:
    """A thin one-colour bar (last week's figure under this week's)."""
    if width_percent <= 0:
        return ""
    return _bar_table(width_percent, _cell(100, colour, height))


def _bar_table(width_percent: float, cells: str) -> str:
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" '
        f'style="border-collapse:collapse;width:{width_percent:.1f}%"><tr>{cells}</tr></table>'
    )


def _cell(width_percent: float, colour: str, height: int) -> str:
    return (
        f'<td style="width:{width_percent:.1f}%;background:{colour};height:{height}px;'
        f'line-height:{height}px;font-size:1px;padding:0">&nbsp;</td>'
    )
