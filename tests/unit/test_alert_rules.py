"""The alert rules' names and cause keys (brm_app.services.alerts; docs/alerts.md)."""

import pytest

from brm_app.services import alerts


def test_every_rule_has_its_own_key_label_and_setting():
	assert len({rule.key for rule in alerts.RULES}) == len(alerts.RULES) == 7
	assert len({rule.label for rule in alerts.RULES}) == 7
	assert {rule.setting for rule in alerts.RULES} == {
		"alert_health_drop",
		"alert_at_risk",
		"alert_detractor",
		"alert_outcome_overdue",
		"alert_notice_window",
		"alert_review_overdue",
		"alert_opportunity_stale",
	}


def test_cause_key_is_stable_and_names_the_rule():
	key = alerts.cause_key(alerts.OPPORTUNITY_STALE, "SOP-0001", "Assessing")
	assert key == "opportunity_stale:SOP-0001:Assessing"
	assert alerts.cause_key(alerts.OPPORTUNITY_STALE, "SOP-0001", "Assessing") == key
	assert alerts.cause_key(alerts.AT_RISK, "SOP-0001") != alerts.cause_key(alerts.REVIEW_OVERDUE, "SOP-0001")
	assert len(alerts.cause_key(alerts.AT_RISK, "x" * 500)) == 140
	with pytest.raises(ValueError):
		alerts.cause_key(alerts.AT_RISK)
