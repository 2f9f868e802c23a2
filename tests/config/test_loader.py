"""Loading and validating config directories (fixture: a copy of config/ in tmp_path)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config.loader import load_config
from monitor.config.reference import settings_reference
from monitor.config.settings import Settings
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ={})
    return caught.value.problems


def test_example_config_loads(config_dir: Path) -> None:
    config = load_config(config_dir, environ={})
    assert [s.key for s in config.sources] == ["example-bbs"]
    assert config.settings.general.timezone == "Asia/Shanghai"
    assert config.settings.database_url() == "sqlite:///data/monitor.db"
    assert config.spokesperson("li_na").backup == "wang_qiang"


def test_misspelt_key_names_file_and_key(config_dir: Path) -> None:
    (config_dir / "monitor.toml").write_text('[smtp]\nhots = "mail.example.com"\n', encoding="utf-8")
    problems = _problems(config_dir)
    assert problems == [f"{config_dir / 'monitor.toml'}: smtp.hots: unknown key (misspelt?) (line 2)"]


def test_an_smtp_login_without_its_password_is_caught_before_the_first_email(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text('[smtp]\nhost = "mail.corp.test"\nusername = "monitor"\n', encoding="utf-8")
    assert _problems(config_dir) == [
        f"{toml}: smtp.username: logging in to mail.corp.test as 'monitor' needs the password in "
        "$MONITOR_SMTP_PASSWORD, which is not set (export it; or empty smtp.username for a server "
        "that needs no login, or set smtp.enabled = false)"
    ]
    config = load_config(config_dir, environ={"MONITOR_SMTP_PASSWORD": "pw"})
    assert config.smtp_password == "pw"
    toml.write_text('[smtp]\nenabled = false\nusername = "monitor"\n', encoding="utf-8")
    assert load_config(config_dir, environ={}).smtp_password is None


def test_a_single_character_term_is_refused(config_dir: Path) -> None:
    groups = config_dir / "watch_groups.yaml"
    text = "watch_groups:\n  - name: x\n    include: [途乐, 快]\n    aliases: [Ｑ]\n"
    groups.write_text(text, encoding="utf-8")
    problems = _problems(config_dir)
    assert [p.split(": term ")[0] for p in problems] == [
        f"{groups}: watch_groups[0].include",
        f"{groups}: watch_groups[0].aliases",
    ]
    assert "'快' is a single character" in problems[0] and "'Ｑ' is a single character" in problems[1]


def test_a_misspelt_key_comes_before_the_errors_it_causes(config_dir: Path) -> None:
    groups = config_dir / "watch_groups.yaml"
    groups.write_text(
        "watch_groups:\n  - name: x\n    inclue: [途乐]\n    aliases: [TuLe]\n    exclude: [途乐园]\n",
        encoding="utf-8",
    )
    problems = _problems(config_dir)
    assert problems[0] == f"{groups}: watch_groups[0].inclue: unknown key (misspelt?) (line 3)"
    assert "overlaps none of the group's terms" in problems[1]  # a consequence: no include terms left


def test_commands_that_make_no_link_run_without_the_signing_key(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        f'[general]\ndata_dir = "{(config_dir / "data").as_posix()}"\n[smtp]\nenabled = false\n'
        '[web]\nbase_url = "https://monitor.example.com"\n',
        encoding="utf-8",
    )
    problem = "web.base_url: action links need a signing key in $MONITOR_WEB_SECRET"
    assert any(problem in p for p in _problems(config_dir))
    assert load_config(config_dir, environ={}, links=False).web_secret is None
    base = ["--config", str(config_dir)]
    assert main(["check-config", *base]) == 2 and problem in capsys.readouterr().err
    for command in (["sources", "status"], ["alerts", "list"], ["threads", "rising"], ["digest", "list"]):
        assert main([*command, *base]) in (0, 1), command  # 1: sources status of boards never read
        assert problem not in capsys.readouterr().err, command
    assert main(["crawl", "--once", *base]) == 2  # its messages would carry links: the key is needed
    assert problem in capsys.readouterr().err


def test_commands_that_send_nothing_run_without_the_smtp_password(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        f'[general]\ndata_dir = "{(config_dir / "data").as_posix()}"\n'
        '[smtp]\nhost = "mail.corp.test"\nusername = "monitor"\n',
        encoding="utf-8",
    )
    problem = "smtp.username: logging in to mail.corp.test as 'monitor' needs the password"
    base = ["--config", str(config_dir)]
    for command in (["sources", "status"], ["alerts", "list"], ["threads", "rising"], ["digest", "list"]):
        assert main([*command, *base]) in (0, 1), command
        assert problem not in capsys.readouterr().err, command
    for command in (["check-config"], ["digest", "send"], ["crawl", "--once"]):
        assert main([*command, *base]) == 2, command  # these send, or check what sending needs
        assert problem in capsys.readouterr().err, command


def test_a_broken_watch_groups_file_does_not_keep_anyone_from_acting_on_alerts(
    config_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    (config_dir / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(config_dir / "data").as_posix()}"\n[smtp]\nenabled = false\n',
        encoding="utf-8",
    )
    (config_dir / "watch_groups.yaml").write_text("watch_groups:\n  - name: x\n    include: [途乐\n", "utf-8")
    base = ["--config", str(config_dir)]
    assert main(["alerts", "list", *base]) == 0
    assert main(["sources", "status", *base]) in (0, 1)
    assert "going on without the watch groups" in caplog.text and "watch_groups.yaml" in caplog.text
    capsys.readouterr()
    # what reads the watch groups still refuses, naming the file
    for command in (["threads", "rising"], ["check-config"], ["crawl", "--once"]):
        assert main([*command, *base]) == 2, command
        assert "watch_groups.yaml" in capsys.readouterr().err, command


def test_detector_and_web_settings_that_would_fail_quietly_are_refused_plainly(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        '[detect]\nvery_urgent_signals = ["media", "reporter"]\nprior_growth = [0.8, 0.1]\n'
        '[web]\nsecret_env = ""\n',
        encoding="utf-8",
    )
    problems = _problems(config_dir)
    assert (
        f"{toml}: detect.very_urgent_signals: unknown crisis signal 'reporter' (known: media, lawyer,"
        in (problems[0])
    )
    assert problems[1] == f"{toml}: detect.prior_growth: needs 5 numbers (a, b, c, d, e), got 2 (line 3)"
    assert problems[2].startswith(f"{toml}: web.secret_env: '' is not the name of an environment variable")
    toml.write_text("[detect]\ngeneral_score = 3.0\n", encoding="utf-8")
    assert "they are 3, 1 and 2" in _problems(config_dir)[0]


def test_unknown_spokesperson_names_file_route_and_key(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8").replace("also: [zhao_min]", "also: [zhao_mim]"))
    line = _line_of(routing, "also: [zhao_mim]")
    assert _problems(config_dir) == [
        f"{routing}: route.routes[0].routes[0].also[0]: undefined spokesperson 'zhao_mim' in route 2 "
        f"(line {line})"
    ]


def _line_of(file: Path, text: str) -> int:
    """The 1-based number of the first line of ``file`` containing ``text``."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_yaml_boolean_keyword_is_rejected(config_dir: Path) -> None:
    groups = config_dir / "watch_groups.yaml"
    groups.write_text("watch_groups:\n  - name: x\n    include: [no, 途乐]\n", encoding="utf-8")
    problems = _problems(config_dir)
    assert len(problems) == 1
    assert f"{groups}: watch_groups[0].include[0]: must be text, got bool False" in problems[0]


def test_every_problem_is_reported_at_once(config_dir: Path) -> None:
    (config_dir / "sources.yaml").write_text("sources:\n  - key: a\n", encoding="utf-8")
    (config_dir / "monitor.toml").write_text("[general]\ntimezone = 'Mars/Olympus'\n", encoding="utf-8")
    (config_dir / "routing.yaml").unlink()
    problems = _problems(config_dir)
    joined = "\n".join(problems)
    assert "general.timezone: unknown time zone 'Mars/Olympus'" in joined
    assert "sources[0].name: required key is missing" in joined
    assert f"{config_dir / 'routing.yaml'}: file not found" in joined


def test_routing_tree_errors(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    text = routing.read_text(encoding="utf-8")
    routing.write_text(
        text.replace("  receiver: wang_qiang           # takes", "  # takes"), encoding="utf-8"
    )
    assert any("route.receiver: the root route needs a receiver" in p for p in _problems(config_dir))
    routing.write_text(text.replace("leadership: [zhao_min]", "leadership: [nobody]"), encoding="utf-8")
    line = _line_of(routing, "leadership: [nobody]")
    assert _problems(config_dir) == [
        f"{routing}: leadership[0]: undefined spokesperson 'nobody' (line {line})"
    ]
    routing.write_text(text.replace('hours: ["08:00-23:00"]', 'hours: ["08:00-23:00", "22:00-23:30"]'))
    assert any(
        "spokespeople[0].on_call.hours: Value error, on-call windows overlap" in p
        or "spokespeople[0].on_call.hours: on-call windows overlap" in p
        for p in _problems(config_dir)
    )


def test_yaml_anchor_cycle_is_an_error_not_a_crash(config_dir: Path) -> None:
    routing = config_dir / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8") + "loop: &loop\n  routes: [*loop]\n", encoding="utf-8"
    )
    text = (
        routing.read_text(encoding="utf-8")
        .replace("route:\n", "route: &root\n", 1)
        .replace(
            "    - match:\n        categories: [product]",
            "    - *root\n    - match:\n        categories: [product]",
        )
    )
    routing.write_text(text.replace("loop: &loop\n  routes: [*loop]\n", ""), encoding="utf-8")
    problems = _problems(config_dir)
    line = routing.read_text(encoding="utf-8").splitlines().index("route: &root") + 1
    assert problems == [  # an alias is its anchor's node: the line is the anchor's
        f"{routing}: route.routes[1]: a YAML anchor refers to itself (a cycle); write the structure out "
        f"(line {line})"
    ]


def test_environment_overrides_file(config_dir: Path) -> None:
    (config_dir / "monitor.toml").write_text('[database]\nurl = "sqlite:///from-file.db"\n', encoding="utf-8")
    config = load_config(
        config_dir,
        environ={"MONITOR_DATABASE_URL": "sqlite:///from-env.db", "MONITOR_SMTP_PASSWORD": "s3cret"},
    )
    assert config.settings.database_url() == "sqlite:///from-env.db"
    assert config.smtp_password == "s3cret"
    assert "s3cret" not in repr(config.settings)


def test_check_config_command(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(config_dir)]) == 0
    assert "OK" in capsys.readouterr().out
    routing = config_dir / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8").replace("backup: wang_qiang", "backup: nobody"))
    assert main(["check-config", "--config", str(config_dir / "monitor.toml")]) == 2
    err = capsys.readouterr().err
    assert f"{routing}: spokespeople[0].backup: undefined spokesperson 'nobody'" in err


def test_settings_reference_is_current_and_complete() -> None:
    text = (ROOT / "config" / "monitor.toml").read_text(encoding="utf-8")
    assert text == settings_reference(), (
        "regenerate: python -m monitor.config.reference > config/monitor.toml"
    )
    for section, section_field in Settings.model_fields.items():
        assert section_field.annotation is not None
        for key, field in section_field.annotation.model_fields.items():
            assert field.description, f"{section}.{key} has no description"
            assert f"# {key} = " in text


def test_conflicting_tls_settings_are_a_config_error(config_dir: Path) -> None:
    (config_dir / "monitor.toml").write_text("[smtp]\nstarttls = true\nuse_ssl = true\n", encoding="utf-8")
    expected = f"{config_dir / 'monitor.toml'}: smtp: choose starttls or use_ssl, not both (line 1)"
    assert _problems(config_dir) == [expected]


def test_unknown_sentiment_model_is_a_config_error(config_dir: Path) -> None:
    (config_dir / "monitor.toml").write_text('[sentiment]\nmodel = "forum-v9"\n', encoding="utf-8")
    [problem] = _problems(config_dir)
    assert problem.startswith(
        f"{config_dir / 'monitor.toml'}: sentiment.model: unknown sentiment model 'forum-v9'"
    )
    assert "forum-v1" in problem


def test_a_broken_routing_file_does_not_keep_anyone_from_acting_on_alerts_from_a_terminal(
    config_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """An ops typo in routing.yaml had refused `alerts list` and `alerts ack` (exit 2) until fixed."""
    (config_dir / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{(config_dir / "data").as_posix()}"\n[smtp]\nenabled = false\n',
        encoding="utf-8",
    )
    routing = config_dir / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8") + "route: [broken\n", encoding="utf-8")
    base = ["--config", str(config_dir)]
    assert main(["alerts", "list", *base]) == 0
    assert main(["alerts", "ack", "999", "--by", "ops", *base]) == 1  # past the config: no such alert
    assert "999" in capsys.readouterr().err
    assert "going on without routing.yaml" in caplog.text
    # what reaches a spokesperson, or routes, still refuses, naming the file
    for command in (["alerts", "handover", "999", "--to", "x"], ["check-config"], ["crawl", "--once"]):
        assert main([*command, *base]) == 2, command
        assert "routing.yaml" in capsys.readouterr().err, command
