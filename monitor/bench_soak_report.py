"""The soak benchmark's report (:mod:`monitor.bench_soak`): a window of passes as lines, the memory
tracemalloc saw grow, and each figure's last window against the first and the half-way one."""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass

from monitor.bench_soak_figures import Figures


@dataclass
class Window:
    """What the passes of one window did."""

    first: int
    last: int
    day: float
    wall: float
    cpu: float
    pages: int
    failed: int
    posts_new: int
    alert_changes: int
    forum_threads: int
    forum_posts: int
    pruned: list[str]
    figures: Figures
    traced_mb: float


def window_lines(w: Window) -> str:
    f = w.figures
    lines = [
        f"passes {w.first}-{w.last} (day {w.day:.1f}): {w.wall:.3f} s wall, {w.cpu:.3f} s CPU per pass; "
        f"{w.pages} pages ({w.failed} failed), {w.posts_new} new posts, {w.alert_changes} alert changes; "
        f"forum {w.forum_threads} threads, {w.forum_posts} posts",
        f"  process: RSS {f.rss_mb:.1f} MB, traced {w.traced_mb:.1f} MB, {f.fds} fds, {f.threads} threads; "
        f"database {f.database_mb:.2f} MB",
        "  rows: " + ", ".join(f"{name} {count}" for name, count in f.rows.items() if count),
        "  caches: " + ", ".join(f"{name} {size}" for name, size in f.caches.items()),
    ]
    lines += [f"  pruned {line}" for line in w.pruned]
    return "\n".join(lines)


def growth_lines(snapshot: tracemalloc.Snapshot, baseline: tracemalloc.Snapshot, top: int = 6) -> str:
    """The lines of code whose memory grew most since the first window."""
    keep = tracemalloc.Filter(False, tracemalloc.__file__)
    stats = snapshot.filter_traces([keep]).compare_to(baseline.filter_traces([keep]), "lineno")
    shown = [
        f"    {s.size_diff / 1e3:+9.1f} kB {s.count_diff:+7d} blocks  {_where(s.traceback)}"
        for s in stats[:top]
    ]
    return "\n".join(["  memory grown since the first window (tracemalloc):", *shown])


def _where(traceback: tracemalloc.Traceback) -> str:
    frame = traceback[0]
    name = frame.filename
    for marker in ("/monitor/", "/site-packages/", "/lib/python3"):
        if marker in name:
            name = name[name.index(marker) + 1 :]
            break
    return f"{name}:{frame.lineno}"


def ratios(windows: list[Window]) -> list[str]:
    """Each figure of the last window against the first window's and the half-way window's."""
    first, middle, last = windows[0], windows[len(windows) // 2], windows[-1]

    def figures(w: Window) -> dict[str, float]:
        f = w.figures
        found: dict[str, float] = {
            "wall s/pass": w.wall,
            "CPU s/pass": w.cpu,
            "RSS MB": f.rss_mb,
            "traced MB": w.traced_mb,
            "fds": f.fds,
            "threads": f.threads,
            "database MB": f.database_mb,
        }
        found |= {f"rows {name}": count for name, count in f.rows.items()}
        found |= {f"cache {name}": size for name, size in f.caches.items()}
        return found

    a, m, z = figures(first), figures(middle), figures(last)
    lines = [
        f"last window (passes {last.first}-{last.last}) against the first ({first.first}-{first.last}) "
        f"and the half-way one ({middle.first}-{middle.last}):",
        f"  {'figure':<32} {'first':>10} {'half-way':>10} {'last':>10} {'×first':>8} {'×half':>8}",
    ]
    for name in a:
        if not (a[name] or m[name] or z[name]):
            continue
        lines.append(
            f"  {name:<32} {_figure(a[name])} {_figure(m[name])} {_figure(z[name])} "
            f"{_ratio(z[name], a[name])} {_ratio(z[name], m[name])}"
        )
    return lines


def _figure(value: float) -> str:
    return f"{value:>10.3f}" if value != int(value) else f"{int(value):>10d}"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:>7.2f}×" if base > 0 else f"{'-':>8}"
