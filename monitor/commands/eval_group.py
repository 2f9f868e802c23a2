"""The ``monitor eval …`` command group, shared by every evaluation command module.

Each module that adds an evaluation (``eval_sentiment``, ``eval_detect`` …) calls
:func:`eval_subcommands` from its ``add_parser(commands)``; the first call creates the
``eval`` parser, later calls reuse it, so the modules can be registered in any order.
"""

from __future__ import annotations

import argparse

_SUBCOMMANDS = "_eval_subcommands"


def eval_subcommands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-subparsers of ``monitor eval``, creating the ``eval`` parser on first use."""
    parser = commands.choices.get("eval")
    if parser is None:
        parser = commands.add_parser("eval", help="measure a model or detector on labelled data")
        created = parser.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
        setattr(parser, _SUBCOMMANDS, created)
    subcommands = getattr(parser, _SUBCOMMANDS, None)
    if not isinstance(subcommands, argparse._SubParsersAction):
        raise TypeError("a command named 'eval' exists but was not made by eval_subcommands()")
    return subcommands
