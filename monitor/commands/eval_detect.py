"""``monitor eval detect`` and ``monitor eval polling``: the spread-velocity detector on real growth data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from monitor.commands.eval_group import eval_subcommands
from monitor.config.settings import DetectSettings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subcommands = eval_subcommands(commands)
    detect = subcommands.add_parser(
        "detect", help="replay thread-growth data through the detector and the naive baselines"
    )
    _data_arguments(detect)
    detect.add_argument(
        "--at", default="0.5,1,2", help="observation times T in hours, comma-separated (default 0.5,1,2)"
    )
    detect.add_argument(
        "--fit-data",
        type=Path,
        action="append",
        default=[],
        help="learn board baselines and thresholds from these folders (same folder names) and report on "
        "all of --data, e.g. a held-out half; default: split each --data folder into fit / report parts",
    )
    detect.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="also give 95 %% intervals for the detector's AUC and its lead over each baseline, from N "
        "paired resamples of the reported threads (e.g. 200; default 0: off)",
    )
    detect.set_defaults(handler=_detect)
    polling = subcommands.add_parser(
        "polling", help="simulate adaptive vs fixed-interval polling of a board at the same request budget"
    )
    _data_arguments(polling)
    polling.add_argument(
        "--threads", type=int, default=400, help="threads on the simulated board (default 400)"
    )
    polling.add_argument(
        "--interval-minutes",
        type=float,
        default=60.0,
        help="the budget: fixed polling reads each live thread about this often (default 60)",
    )
    polling.set_defaults(handler=_polling)


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        help="a data folder (threads.jsonl + labels.csv + meta.json) or a folder of them; repeatable",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config directory whose monitor.toml [detect] settings to use (default: built-in defaults)",
    )


def _settings(args: argparse.Namespace) -> DetectSettings:
    if args.config is None:
        return DetectSettings()
    import os

    from monitor.config.loader import load_config

    return load_config(args.config, environ=os.environ, links=False, sends=False).settings.detect


def _detect(args: argparse.Namespace) -> int:
    from monitor.eval.detect import run_eval
    from monitor.eval.detect_data import DatasetError, find_datasets

    try:
        at_hours = [float(part) for part in str(args.at).split(",") if part.strip()]
    except ValueError:
        raise DatasetError(f"--at: not a list of hours: {args.at!r}") from None
    if not at_hours or any(h <= 0 for h in at_hours):
        raise DatasetError(f"--at: hours must be positive: {args.at!r}")
    started = time.perf_counter()
    fit_dirs = find_datasets(args.fit_data) if args.fit_data else []
    if args.bootstrap and args.bootstrap < 10:
        raise DatasetError(f"--bootstrap: at least 10 resamples, or 0 for none: {args.bootstrap}")
    run_eval(
        find_datasets(args.data),
        at_hours,
        _settings(args),
        sys.stdout,
        fit_dirs=fit_dirs,
        bootstrap=max(0, args.bootstrap),
    )
    print(f"eval detect took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _polling(args: argparse.Namespace) -> int:
    from monitor.eval.detect_data import DatasetError, find_datasets
    from monitor.eval.polling import run_polling

    if args.threads < 2 or args.interval_minutes <= 0:
        raise DatasetError("--threads must be at least 2 and --interval-minutes positive")
    started = time.perf_counter()
    run_polling(
        find_datasets(args.data),
        _settings(args),
        sys.stdout,
        threads=args.threads,
        interval_minutes=args.interval_minutes,
    )
    print(f"eval polling took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
