"""What the pipeline adds to stored posts and threads before detection: each new or edited post's
sentiment (its own words and the words it quotes apart), crisis signals and 我也遇到了 count; each
thread's complaint category."""

from __future__ import annotations

from monitor.enrich.category import classify_complaint
from monitor.enrich.me_too import read_me_too
from monitor.enrich.sentiment import Scorer, score_post
from monitor.enrich.signals import detect_signals
from monitor.store.models import Post, Thread


def enrich_posts(scorer: Scorer, posts: list[Post]) -> None:
    """Score new or edited posts and find their crisis signals."""
    for post in posts:
        scores = score_post(scorer, post.text, post.quoted)  # a quote is someone else's words
        post.sentiment, post.quoted_sentiment = scores.own, scores.quoted
        signals = detect_signals(post.text, post.quoted)  # a quoted 我也遇到了 is not counted again
        # a 我也遇到了 sharing a good experience ("我也遇到了很热情的店员，点赞") is no resonance:
        # neither counted nor stored as a signal (see monitor.enrich.me_too)
        me_too = read_me_too(post.text, signals, scores.own)
        post.signals = [signal.as_dict() for signal in me_too.counted_signals(signals)]
        post.me_too = me_too.counts


def categorise_thread(thread: Thread, posts: list[Post]) -> None:
    """Complaint category (seed 003) from the title and the opening post, with the words that decided it."""
    first = next((p.text for p in posts if p.floor == 1), "")
    result = classify_complaint(f"{thread.title}\n{first}")
    thread.category, thread.category_words = result.category, list(result.words)
