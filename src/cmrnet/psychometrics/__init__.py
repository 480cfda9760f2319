"""Exam psychometrics for cmrnet (pure numpy, no Django).

Scoring, classical item analysis with distractor analysis, item flags, IRT
(Rasch/1PL/2PL by marginal maximum likelihood) and standard setting (modified
Angoff, Hofstee, Cohen).  See docs/psychometrics.md.
"""

from .analysis import ExamAnalysis, ItemReport, ScoredExam, analyse_exam, score_exam
from .ctt import ItemAnalysisResult, TestStats, item_analysis, kstat_skew_kurtosis
from .flags import FLAG_NAMES, FlagThresholds, ItemFlags, flag_items
from .io import (
    InputError,
    RatingsTable,
    ResponseTable,
    ScoredTable,
    read_defects_csv,
    read_key_csv,
    read_ratings_csv,
    read_responses_csv,
    read_scored_csv,
)
from .irt import IRTResult, compress_patterns, fit_irt
from .scoring import encode_letters, key_codes, score_responses, select_items
from .standard_setting import (
    AngoffResult,
    CohenResult,
    HofsteeResult,
    angoff,
    cohen,
    fail_rate,
    hofstee,
)

__all__ = [
    "AngoffResult", "CohenResult", "ExamAnalysis", "FLAG_NAMES", "FlagThresholds",
    "HofsteeResult", "IRTResult", "InputError", "ItemAnalysisResult", "ItemFlags",
    "ItemReport", "RatingsTable", "ResponseTable", "ScoredExam", "ScoredTable", "TestStats",
    "analyse_exam", "angoff", "cohen", "compress_patterns", "encode_letters", "fail_rate",
    "fit_irt", "flag_items", "hofstee", "item_analysis", "key_codes", "kstat_skew_kurtosis",
    "read_defects_csv", "read_key_csv", "read_ratings_csv", "read_responses_csv",
    "read_scored_csv", "score_exam", "score_responses", "select_items",
]
