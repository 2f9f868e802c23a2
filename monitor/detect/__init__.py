"""Detect: is a watched thread escalating, how badly, and where is it heading?

``timeline`` (clean reply times) → ``features`` (velocity, acceleration, resonance, memory)
→ ``baseline`` (what is usual on the board; learned growth model) → ``forecast`` (replies
within 24 h) → ``score`` (relative to the board) → ``hysteresis`` (tiers that don't flap),
all tied together by ``detector.detect_thread`` and, for the pipeline, ``assess.assess``.
``polling`` tells the crawler which threads to refresh next; ``story`` finds cross-posts.
"""
