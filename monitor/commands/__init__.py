"""Command modules: each adds its subcommands to ``monitor`` with ``add_parser(commands)``."""
