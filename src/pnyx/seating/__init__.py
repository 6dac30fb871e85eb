"""Pure seating engine: halls, parts, rotating campaigns, diverse tables, topic preferences.

No Django here: plain data in (dataclasses, sequences), plain data out. See docs/seating.md.
"""

from .errors import InputError, SeatingError
from .hall import part_sizes, rotation, splittable, table_count, table_sizes
from .metrics import PlanStats, TopicStats, plan_stats, topic_stats
from .model import Hall, Person, Plan, Rules, Seat, TopicPlan, TopicSeat
from .plan import AGE_BANDS, attribute_values, plan_hall, replan, split_parts
from .topics import RANK_COSTS, assign_topics, topic_sizes_feasible

__all__ = [
    "AGE_BANDS",
    "RANK_COSTS",
    "Hall",
    "InputError",
    "Person",
    "Plan",
    "PlanStats",
    "Rules",
    "Seat",
    "SeatingError",
    "TopicPlan",
    "TopicSeat",
    "TopicStats",
    "assign_topics",
    "attribute_values",
    "part_sizes",
    "plan_hall",
    "plan_stats",
    "replan",
    "rotation",
    "split_parts",
    "splittable",
    "table_count",
    "table_sizes",
    "topic_sizes_feasible",
    "topic_stats",
]
