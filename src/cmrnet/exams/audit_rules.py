"""What of the exam is secret in the audit log, and who may read the exam's audit entries.

Everything that would help a candidate: an item's stem, options, key, explanation, references, media
and the notes, review comments and retirement reasons written about it; a re-key's new key and the
reasons for item decisions; the standard-setting judgements (Angoff ratings, Hofstee bounds) and the
cut's rationale. `audit.services.record` stores these as digests (cmrnet.audit.secrets); the data
migration exams 0003 redacted the entries written before.
"""

from cmrnet.audit.secrets import ALL, secret_rule
from cmrnet.exams.services.items import CONTENT_FIELDS

ITEM_SECRET_FIELDS = [*CONTENT_FIELDS, "media", "note", "comment", "reason"]
ITEM_DECISIONS = ["sitting.item_rekey", "sitting.item_remove", "sitting.item_restore"]
STANDARD_SETTING_INPUTS = ["sitting.angoff_rated", "sitting.hofstee_judged"]

SECRET_RULES = [
    secret_rule("exams.item", ITEM_SECRET_FIELDS),
    secret_rule("exams.itemversion", ALL),
    secret_rule("exams.sitting", ["new_key", "reason"], actions=ITEM_DECISIONS),
    secret_rule("exams.sitting", ALL, actions=STANDARD_SETTING_INPUTS),
    secret_rule("exams.sitting", ["rationale"], actions=["sitting.cut_recorded"]),
]
