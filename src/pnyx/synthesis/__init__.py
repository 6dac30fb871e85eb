"""Pure synthesis of table outputs: idea units grouped into clusters of similar ideas.

No Django here: plain data in (`Contribution`), plain data out (`Synthesis`, `to_dict()`),
and a Markdown rendering. See docs/synthesis.md.

    from pnyx.synthesis import Contribution, synthesise, to_markdown
"""

from .engine import (
    DEFAULT_METHOD,
    DEFAULT_THRESHOLD,
    FALLBACK_METHOD,
    METHODS,
    THRESHOLDS,
    partition,
    resolve_method,
    synthesise,
    table_key,
)
from .markdown import to_markdown
from .methods import ModelUnavailable
from .model import Cluster, Contribution, Group, Idea, Synthesis
from .text import numbered_ideas, split_ideas, stem, strip_accents, terms

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_THRESHOLD",
    "FALLBACK_METHOD",
    "METHODS",
    "THRESHOLDS",
    "ModelUnavailable",
    "partition",
    "resolve_method",
    "Cluster",
    "Contribution",
    "Group",
    "Idea",
    "Synthesis",
    "numbered_ideas",
    "split_ideas",
    "stem",
    "strip_accents",
    "synthesise",
    "table_key",
    "terms",
    "to_markdown",
]
