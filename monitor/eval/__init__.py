"""Evaluation of the monitor's models on labelled data (metrics without third-party dependencies)."""
