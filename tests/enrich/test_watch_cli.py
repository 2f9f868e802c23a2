"""``monitor watch …`` end to end through ``monitor.cli.main`` on a copy of the shipped config/.

The backtest reads a SQLite database the test builds with ``ensure_schema`` and fills with a few
threads and posts written here."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.store.db import ensure_schema, make_engine
from monitor.store.models import Board, Post, SourceRow, Thread

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "config"
    shutil.copytree(ROOT / "config", directory)
    return directory


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["watch", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _audit(config_dir: Path) -> list[dict[str, object]]:
    file = config_dir / "watch_groups.audit.jsonl"
    if not file.exists():
        return []
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]


def test_add_list_test_remove_and_history(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(config_dir)
    code, out, _ = _run(
        capsys,
        "add",
        "星途汽车",
        "--include",
        "星途",
        "--alias",
        "Exeed",
        "--exclude",
        "星途漫漫",
        "--category",
        "product",
        "--by",
        "王强",
        "--config",
        config,
    )
    assert code == 0 and "added watch group '星途汽车'" in out
    text = (config_dir / "watch_groups.yaml").read_text(encoding="utf-8")
    assert text.startswith("# What to watch") and "# product | service | dealer | policy | other" in text
    assert [g.name for g in load_config(config_dir, environ={}).watch_groups][-1] == "星途汽车"

    code, out, _ = _run(capsys, "list", "--config", config)
    assert code == 0 and "星途汽车  [product]" in out and "aliases: Exeed" in out

    code, out, _ = _run(capsys, "test", "星途漫漫路，EXEED 的车门异响，我已經找了律師", "--config", config)
    assert code == 0
    assert "星途汽车: MATCH — alias Exeed" in out
    assert "(inside exclude word '星途漫漫': does not count)" in out
    assert "lawyer (律师/诉讼) '律師'" in out
    assert "category: product (异响)" in out

    code, out, _ = _run(capsys, "remove", "星途汽车", "--by", "李娜", "--config", config)
    assert code == 0 and "removed watch group '星途汽车'" in out
    assert "星途汽车" not in (config_dir / "watch_groups.yaml").read_text(encoding="utf-8")

    records = _audit(config_dir)
    assert [(r["by"], r["action"], r["group"]) for r in records] == [
        ("王强", "add", "星途汽车"),
        ("李娜", "remove", "星途汽车"),
    ]
    assert records[0]["before"] is None and records[1]["after"] is None
    assert records[0]["after"] == {
        "name": "星途汽车",
        "category": "product",
        "include": ["星途"],
        "aliases": ["Exeed"],
        "exclude": ["星途漫漫"],
    }
    assert records[0]["sha256_after"] == records[1]["sha256_before"]
    assert str(records[0]["at"]).endswith("Z")

    code, out, _ = _run(capsys, "history", "--config", config)
    assert code == 0 and "王强  add '星途汽车'" in out and "李娜  remove '星途汽车'" in out
    assert "    include: +星途\n" in out and "    include: -星途\n" in out  # what changed, not whole groups
    assert "    category: 'product' (taken out)\n" in out and "None" not in out  # was: 'product' -> None
    assert "before:" not in out
    code, out, _ = _run(capsys, "history", "--full", "--config", config)
    assert "    after:  {'name': '星途汽车', 'category': 'product', 'include': ['星途']" in out


def test_history_of_a_big_group_says_the_terms_changed_not_every_term() -> None:
    from monitor.enrich.watch_audit import ChangeRecord, change_lines

    terms = [f"词{n}" for n in range(300)]
    before = {"name": "途乐旅行", "category": "service", "include": terms}
    after = {
        "name": "途乐旅行",
        "category": "policy",
        "include": [*terms[1:], "新词", *[f"新{n}" for n in range(20)]],
    }
    record = ChangeRecord("2026-12-07T05:00:00Z", "ops", "replace", "途乐旅行", before, after, "f", "a", "b")
    lines = change_lines(record)
    assert lines[0] == "category: 'service' -> 'policy'"
    assert lines[1].startswith("include: +新词, 新0, 新1") and lines[1].endswith("… (21 in all) -词0")
    assert len("\n".join(lines)) < 200


def test_words_yaml_would_misread_are_written_quoted(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _run(capsys, "add", "on", "--include", "no", "--include", "123", "--config", str(config_dir))[0] == 0
    )
    [group] = [g for g in load_config(config_dir, environ={}).watch_groups if g.name == "on"]
    assert group.include == ["no", "123"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["bad", "--expression", "张总 AND 途乐) OR x"],
            "watch add: expression: unexpected ')' at column 10",
        ),
        (["bad", "--include", "途乐", "--exclude", "招聘"], "exclude term '招聘' overlaps none"),
        (
            ["bad"],
            "watch add: give 'bad' its terms: --include TERM (repeatable), --alias TERM or --expression",
        ),
        (
            ["bad", "--exclude", "bad园"],
            "watch add: give 'bad' its terms",
        ),  # was '(top level): a watch group…'
        (["途乐旅行", "--include", "途乐"], "a group named '途乐旅行' exists (use --replace to change it)"),
    ],
)
def test_an_invalid_add_is_rejected_without_touching_the_file(
    config_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    file = config_dir / "watch_groups.yaml"
    before = file.read_bytes()
    code, _, err = _run(capsys, "add", *argv, "--config", str(config_dir))
    assert code == 2 and "configuration errors:" in err and message in err
    assert file.read_bytes() == before
    assert _audit(config_dir) == []


def test_a_file_broken_by_hand_is_not_edited(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = config_dir / "watch_groups.yaml"
    file.write_text("watch_groups:\n  - name: x\n    include: [yes]\n", encoding="utf-8")
    code, _, err = _run(capsys, "add", "new", "--include", "新品", "--config", str(config_dir))
    assert code == 2 and "watch_groups[0].include[0]: must be text, got bool True" in err
    assert file.read_text(encoding="utf-8") == "watch_groups:\n  - name: x\n    include: [yes]\n"


def test_replace_and_remove_rules(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(config_dir)
    code, _, _ = _run(
        capsys,
        "add",
        "途乐旅行",
        "--include",
        "途乐",
        "--replace",
        "--category",
        "service",
        "--config",
        config,
    )
    assert code == 0
    [record] = _audit(config_dir)
    assert record["action"] == "replace" and record["before"] == {
        "name": "途乐旅行",
        "category": "service",
        "include": ["途乐旅行", "途乐"],
        "aliases": ["TuLe Travel"],
        "exclude": ["途乐园"],
    }
    code, _, err = _run(capsys, "remove", "nope", "--config", config)
    assert code == 1 and "no watch group 'nope'" in err and "(the groups: 途乐旅行, " in err
    code, _, err = _run(capsys, "remove", "途樂旅行", "--config", config)  # typed in traditional characters
    assert (
        code == 1 and "no watch group '途樂旅行'" in err and err.rstrip().endswith("did you mean '途乐旅行'?")
    )
    routing = config_dir / "routing.yaml"
    routing.write_text(
        "route:\n  receiver: li_na\n  routes:\n"
        "    - match: {watch_groups: [星耀Pro14]}\n      receiver: li_na\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "remove", "星耀Pro14", "--config", config)
    assert (
        code == 2
        and "routing.yaml: route.routes[0].match.watch_groups[0]: still routes watch group '星耀Pro14'" in err
    )


def _store(url: str) -> None:
    engine = make_engine(url)
    ensure_schema(engine, auto_migrate=True)
    with Session(engine) as session, session.begin():
        source = SourceRow(key="bbs", name="BBS", engine="discuz", base_url="http://bbs.invalid/")
        board = Board(source=source, external_id="2", name="投诉维权")
        threads = [
            ("26", "途樂旅行收了我2萬8團費", ["行程取消三个月不退款", "我也遇到了，途乐的客服不接电话"], 1),
            ("27", "周末去途乐园玩", ["途乐园的过山车很刺激"], 2),
            ("28", "退款求助", ["途乐 还没退钱", "TuLe Travel 也是"], 3),
            ("29", "很久以前的途乐帖", ["途乐 旧事"], 30),
        ]
        for external_id, title, texts, days_ago in threads:
            at = NOW - timedelta(days=days_ago)
            thread = Thread(
                source=source,
                board=board,
                external_id=external_id,
                title=title,
                url=f"http://bbs.invalid/t{external_id}",
                first_seen_at=at,
                last_seen_at=at,
            )
            session.add(thread)
            session.flush()
            for floor, text in enumerate(texts, start=1):
                session.add(
                    Post(
                        thread_id=thread.id,
                        external_id=f"{external_id}-{floor}",
                        floor=floor,
                        author=f"u{floor}",
                        posted_at=at,
                        text=text,
                        content_hash=f"{external_id}{floor}",
                        first_seen_at=at,
                    )
                )
    engine.dispose()


def test_backtest_shows_what_a_proposed_group_would_have_matched(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    _store(url)
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    before = (config_dir / "watch_groups.yaml").read_bytes()
    code, out, _ = _run(
        capsys,
        "backtest",
        "途乐旅行",
        "--include",
        "途乐旅行",
        "--exclude",
        "途乐旅行社",
        "--days",
        "7",
        "--now",
        NOW.isoformat(),
        "--config",
        str(config_dir),
    )
    assert code == 0, out
    assert (
        "backtest over 5 posts in 3 threads posted since 2026-11-17 20:00 (Asia/Shanghai, last 7 days)" in out
    )
    assert "途乐旅行 (proposed): 1 thread\n" in out
    assert "#1 途樂旅行收了我2萬8團費 — title: include 途乐旅行 — http://bbs.invalid/t26" in out
    assert "against the current '途乐旅行' (2 threads): 0 newly matched, 1 no longer matched" in out
    assert "-   #3 退款求助 — floor 1: include 途乐" in out
    assert (config_dir / "watch_groups.yaml").read_bytes() == before  # a backtest changes nothing


def test_backtest_from_a_file_and_against_an_empty_database(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text("name: 退款\nexpression: 退款 AND (途乐 OR tule)\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    _store(url)
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    args = ["backtest", "--file", str(proposal), "--now", NOW.isoformat(), "--config", str(config_dir)]
    code, out, _ = _run(capsys, *args)
    assert code == 0 and "退款 (proposed): 2 threads" in out
    assert "#3 退款求助 — title: expression 退款 AND (途乐 OR tule): 退款, 途乐, tule" in out
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = _run(capsys, *args)
    assert code == 1 and "cannot read stored posts" in err


@pytest.mark.parametrize(
    ("text", "signals", "reading"),
    [
        (
            "我也遇到了，等了两个月还没退款",
            "crisis signals: me too (我也遇到了/+1) '我也遇到' at 0–4",
            "me too: '我也遇到' at 0–4 counts as resonance (sentiment 0.12)",
        ),
        (  # forum-v1 reads it 0.58, under the 0.6 cut: the praise in its clause refuses it
            "我也遇到了很热情的店员，点赞",
            "crisis signals: none",
            "me too: '我也遇到' at 0–4 does not count as resonance: its clause praises (热情、点赞) "
            "and the post has no complaint word",
        ),
        (
            "我也遇到了很热情的店员，服务特别好，点赞",
            "crisis signals: none",
            "me too: '我也遇到' at 0–4 does not count as resonance: the post reads positive "
            "(sentiment 0.67, at least 0.60)",
        ),
    ],
)
def test_watch_test_reads_a_me_too_as_the_pipeline_does(
    config_dir: Path, capsys: pytest.CaptureFixture[str], text: str, signals: str, reading: str
) -> None:
    code, out, _ = _run(capsys, "test", text, "--config", str(config_dir))
    assert code == 0
    lines = out.splitlines()
    assert signals in lines and reading in lines, out


def test_watch_test_without_a_me_too_says_nothing_of_it(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "test", "途乐旅行退款三个月没到账，准备找律师", "--config", str(config_dir))
    assert code == 0 and "crisis signals: lawyer (律师/诉讼) '律师' at 16–18" in out and "me too" not in out


def test_watch_test_reads_jia_yi_ge_as_a_quantity_not_a_me_too(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "test", "请问这款笔记本能不能加一个内存插槽", "--config", str(config_dir))
    assert code == 0 and "crisis signals: none" in out.splitlines() and "me too" not in out, out
    code, out, _ = _run(capsys, "test", "加一，等了两个月还没退款", "--config", str(config_dir))
    assert code == 0 and "crisis signals: me too (我也遇到了/+1) '加一' at 0–2" in out.splitlines(), out


def test_a_mistyped_config_folder_is_said_and_not_made(
    tmp_path: Path, config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "confg"
    code, _, err = _run(capsys, "add", "丁丁", "--include", "丁丁", "--config", str(typo))
    assert (
        code == 2 and f"{typo}: config directory not found (pass --config DIR or set $MONITOR_CONFIG;" in err
    )
    assert not typo.exists()
    code, _, err = _run(capsys, "remove", "途乐旅行", "--config", str(typo))
    assert code == 2 and not typo.exists()  # no audit log left behind either
    assert (
        main(["sources", "add", "discuz", "http://127.0.0.1:9/", "--name", "x", "--config", str(typo)]) == 2
    )
    assert "config directory not found" in capsys.readouterr().err and not typo.exists()
    assert main(["sources", "remove", "x", "--config", str(typo)]) == 2 and not typo.exists()
    typo.mkdir()  # an empty folder is no config directory either: nothing is written into it
    code, _, err = _run(capsys, "add", "丁丁", "--include", "丁丁", "--config", str(typo))
    assert code == 2 and f"{typo}: not a config directory — none of monitor.toml, sources.yaml" in err
    assert f"(make one with: monitor init {typo})" in err
    assert (
        main(["sources", "add", "discuz", "http://127.0.0.1:9/", "--name", "x", "--config", str(typo)]) == 2
    )
    assert list(typo.iterdir()) == []


def test_a_file_of_groups_is_added_whole_or_not_at_all(
    tmp_path: Path, config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (config_dir / "watch_groups.yaml").read_text(encoding="utf-8")
    batch = tmp_path / "groups.yaml"
    batch.write_text(
        "watch_groups:\n  - name: 甲\n    include: [甲公司]\n  - name: 途乐旅行\n    include: [途乐]\n"
        "  - name: 甲\n    include: [甲集团]\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "add", "--file", str(batch), "--config", str(config_dir))
    assert code == 2 and out == ""
    assert "the groups to add name '甲' twice" in err and "a group named '途乐旅行' exists" in err
    assert "nothing was added" in err
    assert (config_dir / "watch_groups.yaml").read_text(encoding="utf-8") == before
    batch.write_text(
        "watch_groups:\n  - name: 甲\n    include: [甲公司]\n  - name: 乙\n    include: 乙\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "add", "--file", str(batch), "--config", str(config_dir))
    assert code == 2 and "watch_groups[1].include" in err and "(line 5)" in err  # the line in the batch file
    assert (config_dir / "watch_groups.yaml").read_text(encoding="utf-8") == before


def test_replace_says_what_it_dropped(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["add", "途乐旅行", "--replace", "--include", "途乐旅行", "--include", "途乐"]
    code, out, _ = _run(capsys, *args, "--config", str(config_dir))
    assert code == 0
    assert "  dropped (not given again): aliases ['TuLe Travel']; exclude ['途乐园']" in out
    assert "途乐旅行  [service]" in out  # its category, not given, is kept (a route may match on it)


def test_removing_a_group_with_an_unresolved_alert_says_what_becomes_of_it(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.alerting.service import consider
    from monitor.detect.assess import Assessment
    from monitor.detect.severity import Severity
    from monitor.sources.base import ThreadSummary
    from monitor.store import repo
    from monitor.store.db import session_factory

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    config = load_config(config_dir, environ={"MONITOR_DATABASE_URL": url})
    engine = make_engine(url)
    ensure_schema(engine, auto_migrate=True)
    group = next(g for g in config.watch_groups if g.name == "星耀Pro14")
    with session_factory(engine).begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉")
        summary = ThreadSummary("7", "星耀Pro14 屏幕闪烁", "a", "1", 9, 10, False, "http://bbs.test/t7")
        thread, _ = repo.upsert_thread(session, source, board, summary, NOW)
        assert consider(
            session, config, thread, group, Assessment(True, Severity.URGENT, ["f"], [], 0.8, 9.0), NOW
        )
    engine.dispose()
    code, out, err = _run(capsys, "remove", "星耀Pro14", "--config", str(config_dir))
    assert code == 0, err
    assert "  its unresolved alert #1 stays as it is until resolved (`monitor alerts resolve ID" in out
    code, out, _ = _run(capsys, "remove", "途乐旅行", "--config", str(config_dir))  # routed: refused, no note
    assert code == 2 and out == ""


def test_removing_a_group_before_any_crawl_makes_no_database(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the shipped config's database is data/monitor.db, from where you run
    code, out, _ = _run(capsys, "remove", "星耀Pro14", "--config", str(config_dir))
    assert code == 0 and "removed watch group '星耀Pro14'" in out and "unresolved" not in out
    assert not (tmp_path / "data").exists()


def test_a_term_a_group_lists_twice_is_found_once(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """退款 twice, or 退貨 beside 退货 (one word once folded), used to list every hit twice."""
    config = str(config_dir)
    code, _, err = _run(
        capsys, "add", "退款监控", "--include", "退款", "--include", "退款", "--include", "退貨",
        "--include", "退货", "--config", config,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = _run(capsys, "test", "申请退款退货被拒", "--config", config)
    assert code == 0
    assert out.count("include '退款' at 2–4") == 1 and out.count("at 4–6 '退货'") == 1, out


def test_watch_list_of_one_group_and_one_term_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "watch_groups.yaml").write_text(
        "watch_groups:\n  - name: x\n    include: [途乐]\n", encoding="utf-8"
    )
    (tmp_path / "monitor.toml").touch()
    code, out, _ = _run(capsys, "list", "--config", str(tmp_path))
    assert code == 0 and out.rstrip().endswith("watch_groups.yaml: 1 watch group, 1 distinct term"), out
