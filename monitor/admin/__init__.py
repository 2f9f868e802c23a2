"""Services behind the ops commands (sources, threads); the CLI modules only parse arguments."""
