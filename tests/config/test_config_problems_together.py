"""check-config's problems, each with its file and key, all in one run (fixture: a copy of
config/ in tmp_path): one rule for email addresses, settings cross-checks that an unrelated
invalid setting does not hide, routing problems with the route's key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _problems(directory: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ=environ or {})
    return caught.value.problems


def _line_of(file: Path, text: str) -> int:
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_malformed_spokesperson_email_is_refused_with_file_and_key(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routing = config_dir / "routing.yaml"
    _edit(routing, "email: li.na@example.com", "email: li.na@@newteam")
    assert main(["check-config", "--config", str(config_dir)]) == 2
    assert (
        f"{routing}: spokespeople[0].email: 'li.na@@newteam' is not an email address: it has more than one @"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("li.na@@newteam.com", "it has more than one @"),
        ("li.na@newteam", "its domain 'newteam' has no dot (e.g. li.na@newteam.com)"),
        ("li na@example.com", "it contains a space (one address per entry)"),
        ("li.na@example..com", "its domain 'example..com' is not a domain name"),
        (".li.na@example.com", "the part before the @ ('.li.na') is not a mailbox name"),
    ],
)
def test_one_rule_for_every_address_in_the_config(config_dir: Path, address: str, why: str) -> None:
    """A spokesperson's email, a digest recipient given as an address and a dashboard viewer."""
    routing, toml = config_dir / "routing.yaml", config_dir / "monitor.toml"
    _edit(routing, "email: wang.qiang@example.com", f'email: "{address}"')
    toml.write_text(
        f'[digest]\nrecipients = ["{address}"]\n[web]\nviewers = ["{address}"]\n', encoding="utf-8"
    )
    said = f"{address!r} is not an email address: {why}"
    email = _line_of(routing, address)
    assert sorted(_problems(config_dir)) == sorted(
        [
            f"{toml}: digest.recipients: {said} (line 2)",
            f"{toml}: web.viewers: {said} (line 4)",
            f"{routing}: spokespeople[1].email: {said} (line {email})",
        ]
    )


def test_good_addresses_pass(config_dir: Path) -> None:
    _edit(config_dir / "routing.yaml", "email: wang.qiang@example.com", "email: 王强@例子.中国")
    (config_dir / "monitor.toml").write_text(
        '[digest]\nrecipients = ["li_na", "ops+digest@corp.example.com"]\n[web]\nviewers = [" a.b@x.io "]\n',
        encoding="utf-8",
    )
    config = load_config(config_dir, environ={})
    assert config.spokesperson("wang_qiang").email == "王强@例子.中国"
    assert config.settings.web.viewers == ["a.b@x.io"]


def test_an_invalid_setting_does_not_hide_the_cross_checks_of_other_sections(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        '[general]\ntimezone = "Asia/Shanghia"\n'
        '[digest]\nweekday = "monday"\nrecipients = ["li_na", "nobody"]\n'
        '[smtp]\nusername = "monitor"\n[web]\nbase_url = "https://monitor.example.com"\n',
        encoding="utf-8",
    )
    problems = _problems(config_dir)
    assert problems[0] == f"{toml}: general.timezone: unknown time zone 'Asia/Shanghia' (line 2)"
    assert [p.split(":")[1].strip() for p in problems[1:]] == [
        "digest.recipients",  # 'nobody' is no spokesperson
        "web.base_url",  # no signing key
        "smtp.username",  # no password
    ]
    assert "'nobody' is neither an email address nor a spokesperson key" in problems[1]


@pytest.mark.parametrize(
    ("said", "day"), [("monday", "mon"), ("Tues", "tue"), ("thurs", "thu"), (" SUN ", "sun")]
)
def test_a_weekday_may_be_written_in_full(config_dir: Path, said: str, day: str) -> None:
    (config_dir / "monitor.toml").write_text(f'[digest]\nweekday = "{said}"\n', encoding="utf-8")
    assert load_config(config_dir, environ={}).settings.digest.weekday == day


@pytest.mark.parametrize("said", ["sunshine", "mo", "mondays", "fryday"])
def test_a_word_that_only_starts_like_a_weekday_is_refused(config_dir: Path, said: str) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(f'[digest]\nweekday = "{said}"\n', encoding="utf-8")
    assert _problems(config_dir) == [
        f"{toml}: digest.weekday: must be one of mon, tue, wed, thu, fri, sat, sun (or the day's full "
        f"name), got {said!r} (line 2)"
    ]


def test_routing_problems_name_the_route_its_key_and_line(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    _edit(routing, "      receiver: li_na\n      routes:", "      receiver: li_nna\n      routes:")
    _edit(routing, 'watch_groups: ["途乐旅行"]', 'watch_groups: ["途乐旅形"]')
    _edit(routing, "    backup: li_na\n", "    backup: li_nna\n")
    receiver, group = _line_of(routing, "receiver: li_nna"), _line_of(routing, "途乐旅形")
    backup = _line_of(routing, "backup: li_nna")
    assert _problems(config_dir) == [
        f"{routing}: spokespeople[1].backup: undefined spokesperson 'li_nna' (line {backup})",
        f"{routing}: route.routes[0].receiver: undefined spokesperson 'li_nna' in route 1 (line {receiver})",
        f"{routing}: route.routes[0].match.watch_groups[0]: undefined watch group '途乐旅形' in route 1 "
        f"(did you mean '途乐旅行'?) (line {group})",
    ]


def test_a_bad_chat_channel_names_its_line(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    _edit(routing, "    backup: li_na\n", '    backup: li_na\n    channels: ["dingtalk://nosecret"]\n')
    problems = _problems(config_dir)
    line = _line_of(routing, "dingtalk://nosecret")
    assert len(problems) == 1 and problems[0].startswith(f"{routing}: spokespeople[1].channels[0]: ")
    assert problems[0].endswith(f" (line {line})") and "nosecret" not in problems[0]


def test_every_invalid_setting_says_its_line_and_one_given_by_the_environment_none(config_dir: Path) -> None:
    toml, sources = config_dir / "monitor.toml", config_dir / "sources.yaml"
    toml.write_text(
        '# settings\n[general]\ntimezone = "UTC"\n\n[fetch]\n  "retries" = "many"\ntimeout_seconds = -1\n'
        '[smtp]\nport = "x"\n',
        encoding="utf-8",
    )
    _edit(sources, "pages_per_board: 1", "pages_per_board: lots")
    problems = _problems(config_dir, {"MONITOR_SMTP_PORT": "twenty-five"})
    fetch = sorted(p for p in problems if ": fetch." in p)
    assert [p.split(": ")[1] for p in fetch] == ["fetch.retries", "fetch.timeout_seconds"]
    assert fetch[0].endswith("(line 6)") and fetch[1].endswith("(line 7)")  # a quoted, indented key too
    [port] = [p for p in problems if "smtp.port" in p]
    assert "(line" not in port  # its value came from MONITOR_SMTP_PORT, not from line 9
    assert port.startswith("$MONITOR_SMTP_PORT (in the environment; it overrides monitor.toml): smtp.port: ")
    [pages] = [p for p in problems if str(sources) in p]
    assert pages.startswith(f"{sources}: sources[0].pages_per_board: ")
    assert pages.endswith(f"(line {_line_of(sources, 'pages_per_board: lots')})")


def test_a_missing_key_points_at_the_entry_that_misses_it(config_dir: Path) -> None:
    groups = config_dir / "watch_groups.yaml"
    groups.write_text(
        "watch_groups:\n  - name: 途乐\n    include: [途乐]\n  - include: [星耀]\n", encoding="utf-8"
    )
    assert _problems(config_dir) == [f"{groups}: watch_groups[1].name: required key is missing (line 4)"]


def test_a_typo_in_a_routes_match_is_caught_not_a_route_that_never_fires(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    _edit(routing, "signals: [media, lawyer]", "signals: [media, lawyers]")
    _edit(routing, "categories: [product]", "categories: [produkt]")
    _edit(
        routing,
        "      receiver: wang_qiang\n",
        "      receiver: wang_qiang\n    - match:\n        sources: [exmaple-bbs]\n"
        '        boards: ["example-bbs:99", "2"]\n      receiver: li_na\n',
    )
    problems = _problems(config_dir)
    assert problems == [
        f"{routing}: route.routes[0].routes[0].match.signals[1]: unknown crisis signal 'lawyers' in route 2 "
        f"(did you mean 'lawyer'?) (line {_line_of(routing, 'lawyers')})",
        f"{routing}: route.routes[1].match.categories[0]: unknown complaint category 'produkt' in route 3 "
        f"(did you mean 'product'?) (line {_line_of(routing, 'produkt')})",
        f"{routing}: route.routes[2].match.sources[0]: unknown source 'exmaple-bbs' in route 4 "
        f"(did you mean 'example-bbs'?) (line {_line_of(routing, 'exmaple-bbs')})",
        f"{routing}: route.routes[2].match.boards[0]: unknown board 'example-bbs:99' in route 4 "
        f"(did you mean 'example-bbs:3'?) (line {_line_of(routing, 'example-bbs:99')})",
    ]  # board "2" alone is one of example-bbs's boards: fine


def test_route_test_refuses_a_signal_it_does_not_know(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "route",
        "test",
        "--watch-group",
        "途乐旅行",
        "--severity",
        "very_urgent",
        "--config",
        str(config_dir),
    ]
    assert main([*args, "--signal", "lawyers"]) == 1
    assert "no crisis signal 'lawyers'; the known ones: media, lawyer," in capsys.readouterr().err
    assert main([*args, "--signal", "lawyer"]) == 0
    assert "zhao_min (told as well)" in capsys.readouterr().out


def test_a_source_a_route_names_is_not_removed(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    routing, sources = config_dir / "routing.yaml", config_dir / "sources.yaml"
    _edit(routing, "categories: [product]", "categories: [product]\n        boards: [example-bbs:2]")
    before = sources.read_text(encoding="utf-8")
    assert main(["sources", "remove", "example-bbs", "--config", str(config_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{routing}: route.routes[1].match.boards[0]: still routes source 'example-bbs'" in err
    assert "take it out of routing.yaml first" in err
    assert sources.read_text(encoding="utf-8") == before
    load_config(config_dir, environ={})  # the config still loads


def test_a_bare_board_id_routes_the_only_source_that_has_that_board(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routing, sources = config_dir / "routing.yaml", config_dir / "sources.yaml"
    _edit(routing, "categories: [product]", 'categories: [product]\n        boards: ["3"]')
    other = (
        "\n  - {key: other-bbs, name: Other, engine: discuz, base_url: 'https://other.example/', "
        "boards: ['3']}\n"
    )
    assert main(["sources", "remove", "example-bbs", "--config", str(config_dir)]) == 2
    assert "match.boards[0]: still routes source 'example-bbs'" in capsys.readouterr().err
    sources.write_text(sources.read_text(encoding="utf-8") + other, encoding="utf-8")
    assert main(["sources", "remove", "example-bbs", "--config", str(config_dir)]) == 0  # other-bbs has a 3
    assert [source.key for source in load_config(config_dir, environ={}).sources] == ["other-bbs"]


def test_a_yaml_syntax_error_is_one_line_with_its_place_and_gbk_says_save_as_utf8(config_dir: Path) -> None:
    sources, groups = config_dir / "sources.yaml", config_dir / "watch_groups.yaml"
    sources.write_text("sources:\n  - key: x\n    name: y: z\n", encoding="utf-8")
    groups.write_bytes(groups.read_text(encoding="utf-8").encode("gbk"))  # Notepad's "ANSI"
    problems = _problems(config_dir)
    [said] = [p for p in problems if p.startswith(f"{sources}:")]
    assert said.startswith(f"{sources}: line 3: not valid YAML: the value on line 3 holds ': '")
    assert said.endswith("[line 3, column 12: mapping values are not allowed here]")  # the parser's, last
    [gbk] = [p for p in problems if p.startswith(f"{groups}:")]
    assert "not UTF-8 text" in gbk and "save it as UTF-8" in gbk
    assert all("\n" not in p for p in problems)


def test_monitor_toml_with_a_byte_order_mark_is_read_and_in_gbk_says_save_as_utf8(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    text = toml.read_text(encoding="utf-8").replace("[general]", "# 常规设置\n[general]", 1)
    wrong = text.replace('# timezone = "', 'timezone = "Mars/', 1)
    toml.write_bytes(wrong.encode("utf-8-sig"))  # Notepad's "UTF-8 with BOM"
    [zone] = _problems(config_dir)  # read past the mark: the one problem is the bad zone, with its line
    assert zone.startswith(f"{toml}: general.timezone: ")
    assert zone.endswith(f"(line {_line_of(toml, 'Mars/')})")
    toml.write_bytes(text.encode("gbk"))
    [gbk] = _problems(config_dir)
    assert gbk.startswith(f"{toml}: not UTF-8 text (byte ") and "save it as UTF-8" in gbk


def test_a_duplicate_spokesperson_is_said_where_it_was_typed(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    _edit(routing, "key: wang_qiang", "key: li_na")
    problems = _problems(config_dir)
    text = routing.read_text(encoding="utf-8").splitlines()
    first, second = (number for number, line in enumerate(text, 1) if "key: li_na" in line)
    assert (
        f"{routing}: spokespeople[1].key: duplicate spokesperson 'li_na' "
        f"(first at spokespeople[0], line {first}) (line {second})"
    ) in problems


def test_group_names_that_fold_alike_are_one_name_and_routing_suggests_it(config_dir: Path) -> None:
    groups, routing = config_dir / "watch_groups.yaml", config_dir / "routing.yaml"
    text = groups.read_text(encoding="utf-8")
    groups.write_text(text + '  - name: "途樂旅行"\n    include: ["途乐"]\n', encoding="utf-8")
    [problem] = _problems(config_dir)
    assert "duplicate watch group '途樂旅行' (the same name as '途乐旅行', folded)" in problem
    groups.write_text(text, encoding="utf-8")
    _edit(routing, 'watch_groups: ["途乐旅行"]', 'watch_groups: ["途樂旅行"]')
    [problem] = _problems(config_dir)
    assert "undefined watch group '途樂旅行' in route 1 (did you mean '途乐旅行'?)" in problem


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_backtest_days_must_be_a_positive_whole_number(
    config_dir: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    with pytest.raises(SystemExit) as done:
        main(
            [
                "watch",
                "backtest",
                "途乐旅行",
                "--include",
                "途乐",
                "--days",
                days,
                "--config",
                str(config_dir),
            ]
        )
    assert done.value.code == 2 and "--days" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["watch", "history", "--last", days, "--config", str(config_dir)])
    assert done.value.code == 2 and "--last" in capsys.readouterr().err


def test_one_forum_under_two_keys_is_refused(config_dir: Path) -> None:
    sources = config_dir / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    url = next(
        line.split("base_url:")[1].split("#")[0].strip() for line in text.splitlines() if "base_url:" in line
    )
    sources.write_text(
        text + f"  - key: again\n    name: Again\n    engine: discuz\n    base_url: {url.rstrip('/')}:443\n"
        '    boards: ["5"]\n',
        encoding="utf-8",
    )
    [problem] = _problems(config_dir)
    assert problem.startswith(f"{sources}: sources[1].base_url: 'again' watches https://bbs.example.com")
    assert "the forum 'example-bbs' (sources[0]) watches" in problem
    assert problem.endswith(f"(line {_line_of(sources, ':443')})")
    assert "one forum is one source" in problem
    sources.write_text(text + text.split("sources:\n", 1)[1], encoding="utf-8")  # the same entry twice
    [problem] = _problems(config_dir)
    second = [
        n for n, line in enumerate(sources.read_text(encoding="utf-8").splitlines(), 1) if "key:" in line
    ][1]
    said = "sources[1].key: duplicate source key 'example-bbs' (first at sources[0])"
    assert problem == f"{sources}: {said} (line {second})"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "postgres://monitor:s3cret@db/monitor",
            "postgres:// is the libpq spelling; SQLAlchemy needs postgresql+",
        ),
        ("monitor", "not a database URL; write it as postgresql+psycopg://user@host/db or sqlite:///"),
        ("mysql://monitor:s3cret@db/monitor", "mysql is not supported: PostgreSQL or SQLite"),
        (
            "postgresql+psycopg2://monitor:s3cret@db/m",
            "the PostgreSQL driver is psycopg: postgresql+psycopg://",
        ),
    ],
)
def test_a_database_url_sqlalchemy_cannot_open_is_said_without_its_password(
    config_dir: Path, url: str, said: str
) -> None:
    """These passed check-config and then crashed the service with a traceback at start."""
    [problem] = _problems(config_dir, {"MONITOR_DATABASE_URL": url})
    assert problem.startswith(
        "$MONITOR_DATABASE_URL (in the environment; it overrides monitor.toml): database.url: "
    )
    assert said in problem and "s3cret" not in problem
