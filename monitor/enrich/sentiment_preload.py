"""Imported once by the sentiment pool's fork server: loads the fast segmenter (SnowNLP's model
as compact tables; SnowNLP itself is not imported) and the default model there, so every pool
worker is forked with them already in memory.

Nothing else should import this module (importing it takes half a second and memory).
"""

from __future__ import annotations

from monitor.enrich.sentiment import DEFAULT_MODEL
from monitor.enrich.sentiment_batch import get_scorer

get_scorer(DEFAULT_MODEL).score("预热")
