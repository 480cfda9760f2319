"""Level 3 via Level 2: which training and CME served the Level 2 application, which count now.

"To have spent at least a further nine months of full-time training" and "25 hours of CME ...
over and above the CME provided for a Level 2 application": only what was *not* used for the
Level 2 certification counts towards the Level 3 via Level 2 figures.

What was used is said by the candidate (``Level2Certificate.training_ids`` / ``cme_ids``, from
candidate.toml ``[level2] training = [...]`` / ``cme = [...]``, or the web app's Level 2
application).  When it is not said (``None``) and the route's parameter
``level2_presume_used_until_award`` is true, everything dated on or before the Level 2 award date
is taken as used for Level 2: a training period that runs past the award counts from the day after
it; a CME claim counts when it ended after the award.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from .model import CmeActivity, Level2Certificate, TrainingPeriod

LEVEL2, LEVEL3, SPLIT = "level2", "level3", "split"


@dataclass(frozen=True)
class Allocation:
    """Where one training period or CME claim was counted."""

    kind: str                  # training | cme
    item_id: str
    used_for: str              # level2 (not counted now) | level3 (counted now) | split (training only)
    reason: str
    level3_from: date | None = None    # split: the first day counted now

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.item_id, "used_for": self.used_for, "reason": self.reason,
                "level3_from": self.level3_from.isoformat() if self.level3_from else None}


@dataclass(frozen=True)
class Level2Split:
    training: tuple[TrainingPeriod, ...]        # what counts now (a split period starts after the award)
    cme: tuple[CmeActivity, ...]
    allocations: tuple[Allocation, ...]


def split_training(periods, level2: Level2Certificate, presume: bool) -> tuple[list, list[Allocation]]:
    kept, notes = [], []
    declared = level2.training_ids
    award = level2.awarded_on
    for period in sorted(periods, key=lambda p: (p.start_date, p.period_id)):
        if declared is not None:
            if period.period_id in declared:
                notes.append(Allocation("training", period.period_id, LEVEL2, "used for the Level 2 application"))
            else:
                kept.append(period)
                notes.append(Allocation("training", period.period_id, LEVEL3, "not used for the Level 2 application"))
        elif not presume or period.start_date > award:
            kept.append(period)
            notes.append(Allocation("training", period.period_id, LEVEL3,
                                    f"after the Level 2 award ({award})" if presume else "Level 2 use not declared"))
        elif period.end_date <= award:
            notes.append(Allocation("training", period.period_id, LEVEL2,
                                    f"on or before the Level 2 award ({award}): taken as used for Level 2"))
        else:
            first = award + timedelta(days=1)
            kept.append(replace(period, start_date=first))
            notes.append(Allocation("training", period.period_id, SPLIT,
                                    f"runs past the Level 2 award ({award}): counted from {first}", first))
    return kept, notes


def split_cme(activities, level2: Level2Certificate, presume: bool) -> tuple[list, list[Allocation]]:
    kept, notes = [], []
    declared = level2.cme_ids
    award = level2.awarded_on
    for activity in sorted(activities, key=lambda a: (a.start_date, a.activity_id)):
        if declared is not None:
            used = activity.activity_id in declared
            reason = "used for the Level 2 application" if used else "not used for the Level 2 application"
        elif presume:
            used = activity.end_date <= award
            reason = (f"ended on or before the Level 2 award ({award}): taken as used for Level 2" if used
                      else f"after the Level 2 award ({award})")
        else:
            used, reason = False, "Level 2 use not declared"
        notes.append(Allocation("cme", activity.activity_id, LEVEL2 if used else LEVEL3, reason))
        if not used:
            kept.append(activity)
    return kept, notes


def split_for_level3(training, cme, level2: Level2Certificate | None, presume: bool) -> Level2Split:
    """Training and CME that count beyond Level 2, and where each item went.

    Without a Level 2 certificate nothing can be told apart: everything counts (the route's
    ``level2_current`` rule is then not met anyway).
    """
    if level2 is None:
        return Level2Split(tuple(training), tuple(cme), ())
    kept_training, training_notes = split_training(training, level2, presume)
    kept_cme, cme_notes = split_cme(cme, level2, presume)
    return Level2Split(tuple(kept_training), tuple(kept_cme), tuple(training_notes + cme_notes))
