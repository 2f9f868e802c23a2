"""Which replies count as 我也遇到了 (resonance) when the pipeline reads posts: a me-too complaint
does; a bump (顶) and a me-too praise do not. Real forum-v1 scorer, real signal lexicon.

The table below is real-looking forum text both ways. The praise side includes replies the
forum-v1 model scores only mildly positive (0.31–0.59, under the 0.6 cut): only the lexical
rule of :mod:`monitor.enrich.me_too` (praise in the me-too's clause, no complaint word in the
post) keeps them out. The complaint side includes replies with praise words that must still
count (a thank-you to the poster, praise the reply takes back, a complaint in the next sentence).
"""

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

COMPLAINT_ME_TOOS = [  # each must count
    "我也遇到了，等了两个月还没退款",
    "我也是，支持楼主",
    "+1",
    "同问",
    "+1，我爸妈报的老年团，一万二，到现在没退。",
    "同样被途乐坑了。我是国庆的海南团，6500，取消后说退款要“三到六个月”，合同上根本没这一条。",
    "我也遇到了！！10月的北海道团，交了9800，出发前三天说取消，到现在一直说“在走流程”，电话打过去就是让等。",
    "感谢楼主分享，我也遇到了同样的问题，客服一直推脱",
    "我也遇到了，谢谢楼主提醒，已经打了12315",
    "點讚樓主，我也遇到了，押金到現在還沒退",
    "我也遇到了，店员当时态度很好，可交了钱就再也联系不上了",
    "我也是，销售的时候热情得很，退款的时候人影都找不到",
    "我也一样，客服说会给我满意的答复，一个月了都没消息",
    "我也是这样，推荐我办卡的时候说随时能退，现在不给退",
    "我也遇到了，服务很好是假的，都是骗人的",
    "我也被骗了，还说什么贴心服务",
    "我也遇到了，很不满意，到现在没人处理",
    "我也是！店员一点都不热情，爱答不理的",
    "我也遇到了。店员当时很热情。结果交了钱就不退了。",
    "我也遇到了，强烈推荐大家去12315投诉",
    "我也遇到了，客服态度倒是很好，就是一直不解决",
    "我也是，店员很热情，但是交完钱就变脸了",
    "同样遭遇，售后很专业地踢皮球",
    "我也一样，当初看他们服务热情才报的名，现在肠子都悔青了",
]

PRAISE_ME_TOOS = [  # none may count: a shared good experience is not resonance with a complaint
    "我也遇到了很热情的店员，服务特别好，点赞",
    "我也遇到了很热情的店员，点赞",
    "我也遇到过这个导游，人特别好，很贴心",
    "我也是在这家店买的，质量很好，很满意",
    "我也一样，客服很耐心，问题很快就解决了，感谢",
    "我也是老客户了，一直很满意，推荐",
    "我也是他们家的会员，服务很给力",
    "+1，这家店确实不错，好评",
    "我也遇到了那个司机，特别热情，还帮我搬行李",
    "我也碰到过这个客服小姐姐，超级贴心，五星好评",
    "我也是，上周刚去，体验很棒",
    "我也遇到了很负责的经理，当场就给处理了，感谢",
    "我也是这么想的，这家真的很良心",
    "我也遇到過這位導遊，很熱情，值得推薦",
    "我也是！导游特别贴心，全程很愉快",
    "我也一样，体验不错",
    "我也遇到过，导游很专业",
]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    config = load_config(DEMO_CONFIG, environ={})
    return Pipeline(config, sessionmaker(), load_scorer("forum-v1"), httpx.AsyncClient())


def _me_too(pipeline: Pipeline, text: str) -> bool | None:
    post = Post(text=text, quoted="")
    pipeline._enrich([post])
    return post.me_too


@pytest.mark.parametrize(
    ("text", "me_too"),
    [
        ("帮顶，希望楼主早日拿回押金。", False),  # a bump backs the poster, it is not "me too"
        ("顶！！！", False),
        *((text, True) for text in COMPLAINT_ME_TOOS),
        *((text, False) for text in PRAISE_ME_TOOS),
    ],
)
def test_a_reply_counts_as_me_too_only_when_it_shares_the_complaint(
    pipeline: Pipeline, text: str, me_too: bool
) -> None:
    assert _me_too(pipeline, text) is me_too


def test_a_refused_me_too_is_not_stored_as_a_signal_either(pipeline: Pipeline) -> None:
    """The stored signals feed the alert's signal list ("me too first at floor N") and routing:
    a praise me-too must not show there while the count leaves it out."""
    praise = Post(text="我也遇到了很热情的店员，点赞，已经转发朋友圈了", quoted="")  # forum-v1: 0.50
    complaint = Post(text="我也遇到了，押金不退，已经转发朋友圈了", quoted="")
    pipeline._enrich([praise, complaint])
    assert praise.me_too is False and complaint.me_too is True
    assert [s["name"] for s in praise.signals] == ["spread_threat"]  # its other signals stay
    assert [s["name"] for s in complaint.signals] == ["resonance", "spread_threat"]
