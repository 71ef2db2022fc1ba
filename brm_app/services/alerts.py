"""The alert rules (docs/alerts.md): their names, switches in BRM Settings and cause keys.

Pure Python (standard library only). The SQL that finds each rule's causes is brm_app.jobs.alerts.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
	key: str  # prefix of the cause keys
	label: str  # BRM Alert.rule (translated where shown)
	setting: str  # the BRM Settings check that switches it on


HEALTH_DROP = Rule("health_drop", "Health Score Fell", "alert_health_drop")
AT_RISK = Rule("at_risk", "At Risk", "alert_at_risk")
DETRACTOR = Rule("detractor", "Detractor Response", "alert_detractor")
OUTCOME_OVERDUE = Rule("outcome_overdue", "Outcome Overdue", "alert_outcome_overdue")
NOTICE_WINDOW = Rule("notice_window", "Notice Window", "alert_notice_window")
REVIEW_OVERDUE = Rule("review_overdue", "Review Overdue", "alert_review_overdue")
OPPORTUNITY_STALE = Rule("opportunity_stale", "Opportunity Stuck", "alert_opportunity_stale")

RULES = (HEALTH_DROP, AT_RISK, DETRACTOR, OUTCOME_OVERDUE, NOTICE_WINDOW, REVIEW_OVERDUE, OPPORTUNITY_STALE)
BY_LABEL = {rule.label: rule for rule in RULES}

OPEN, CLOSED = "Open", "Closed"


def cause_key(rule: Rule, *parts: object) -> str:
	"""The key of one cause: the same cause gives the same key on every run (one open alert per key)."""
	if not parts:
		raise ValueError("a cause key needs at least one part")
	return ":".join([rule.key, *(str(part) for part in parts)])[:140]
