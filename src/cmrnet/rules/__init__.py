"""cmrnet.rules: the certification rule engine (pure Python, no Django).

    from cmrnet.rules import load_ruleset, read_package, evaluate
    ruleset = load_ruleset("eacvi-2025")
    data = read_package("path/to/package", categories=ruleset.categories)
    evaluation = evaluate(ruleset, "level2", data, today=date.today())
    evaluation.compliant, evaluation.rules, evaluation.missing, evaluation.to_dict()
"""

from pathlib import Path

from .cme import CmeCredit, accepted_credits, cme_credits
from .evaluation import RULE_FUNCTIONS, evaluate
from .model import (ApplicationData, Candidate, Case, CmeActivity, Level2Certificate,
                    PeerRecognition, SupervisorCert, TrainingPeriod)
from .package_io import PackageError, read_package, write_package
from .results import MET, NOT_MET, Evaluation, RuleResult
from .ruleset import RuleSet, RuleSetError, available_rulesets, load_ruleset

EXAMPLES_DIR = Path(__file__).with_name("examples")

__all__ = [
    "ApplicationData", "Candidate", "Case", "CmeActivity", "CmeCredit", "EXAMPLES_DIR", "Evaluation",
    "Level2Certificate", "MET", "NOT_MET", "PackageError", "PeerRecognition", "RULE_FUNCTIONS",
    "RuleResult", "RuleSet", "RuleSetError", "SupervisorCert", "TrainingPeriod", "accepted_credits",
    "available_rulesets", "cme_credits", "evaluate", "load_ruleset", "read_package", "write_package",
]
