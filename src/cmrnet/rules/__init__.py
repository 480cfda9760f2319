"""cmrnet.rules: the certification rule engine (pure Python, no Django).

    from cmrnet.rules import load_ruleset, read_package, evaluate
    ruleset = load_ruleset("eacvi-2025")
    data = read_package("path/to/package", categories=ruleset.categories)
    evaluation = evaluate(ruleset, "level2", data, today=date.today())
    evaluation.compliant, evaluation.rules, evaluation.missing, evaluation.to_dict()
"""

from pathlib import Path

from .cme import CmeCredit, accepted_credits, assess_claims, cme_credits
from .evaluation import RULE_FUNCTIONS, evaluate
from .level2_split import Allocation
from .model import (ApplicationData, Candidate, Case, CmeActivity, Level2Certificate, PeerItem,
                    PeerRecognition, SupervisorCert, TrainingPeriod)
from .package_io import PackageError, read_package, write_package
from .results import MET, NOT_MET, Evaluation, RuleResult
from .ruleset import RuleSet, RuleSetError, available_rulesets, load_ruleset, route_choices
from .training import Overlap, find_overlaps, overlaps_with

EXAMPLES_DIR = Path(__file__).with_name("examples")

__all__ = [
    "Allocation", "ApplicationData", "Candidate", "Case", "CmeActivity", "CmeCredit", "EXAMPLES_DIR",
    "Evaluation", "Level2Certificate", "MET", "NOT_MET", "Overlap", "PackageError", "PeerItem",
    "PeerRecognition", "RULE_FUNCTIONS", "RuleResult", "RuleSet", "RuleSetError", "SupervisorCert",
    "TrainingPeriod", "accepted_credits", "assess_claims", "available_rulesets", "cme_credits", "evaluate",
    "find_overlaps", "load_ruleset", "overlaps_with", "read_package", "route_choices", "write_package",
]
