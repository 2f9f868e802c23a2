"""Which replies count as 我也遇到了 (resonance) when the pipeline reads posts: a me-too complaint
does; a bump (顶) and a me-too praise do not. Real forum-v1 scorer, real signal lexicon."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from monitor.config.loader import load_config
from monitor.enrich.sentiment import load_scorer
from monitor.pipeline import Pipeline
from monitor.store.models import Post

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "monitor" / "demo" / "config"


@pytest.mark.parametrize(
    ("text", "me_too"),
    [
        ("我也遇到了，等了两个月还没退款", True),
        ("我也是，支持楼主", True),
        ("+1", True),
        ("同问", True),
        ("帮顶，希望楼主早日拿回押金。", False),  # a bump backs the poster, it is not "me too"
        ("顶！！！", False),
        ("我也遇到了很热情的店员，服务特别好，点赞", False),  # a shared good experience
    ],
)
def test_a_reply_counts_as_me_too_only_when_it_shares_the_complaint(text: str, me_too: bool) -> None:
    config = load_config(DEMO_CONFIG, environ={})
    pipeline = Pipeline(config, sessionmaker(), load_scorer("forum-v1"), httpx.AsyncClient())
    post = Post(text=text, quoted="")
    pipeline._enrich([post])
    assert post.me_too is me_too
