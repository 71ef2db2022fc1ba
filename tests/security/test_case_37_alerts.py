"""Threat model case 37 (docs/alerts.md): BRM Alert is written by the daily alert job only, and a relationship
manager sees only the alerts of their own customers.

- every user write path (desk / REST insert, save, frappe.client.set_value, delete, rename) is refused, also
  for a System Manager: the controller refuses, not only the role permissions;
- the list (get_list, the checked get_count behind the workspace's *My alerts* shortcut), the form
  (has_permission) and the KPI Scorecard's open-alert counts show a relationship manager their customers'
  alerts only; a process manager sees all.
"""

import json

import frappe
import pytest

from brm_app.access.endpoints import get_count
from brm_app.brm_app.report.brm_kpi_scorecard.brm_kpi_scorecard import alert_rows
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.jobs.alerts import run_alerts
from brm_app.services import alerts as rules
from tests.support.factories import make_portfolio, mute_mail
from tests.support.users import as_user
from tests.support.workflow import PROCESS_MANAGER, RELATIONSHIP_MANAGER, make_approver

ALERT = "BRM Alert"
WORKSPACE = "Business Relationship Management"

pytestmark = pytest.mark.usefixtures("rolled_back")


@pytest.fixture
def world():
	mute_mail()
	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	mine = make_portfolio(relationship_manager=rm_a).name
	theirs = [make_portfolio(relationship_manager=rm_b).name for _ in range(2)]
	for portfolio in (mine, *theirs):
		frappe.db.set_value("Customer Portfolio", portfolio, {"health_rag": "Red", "health_score": 20})
	run_alerts()
	alert = lambda portfolio: frappe.db.get_value(  # noqa: E731
		ALERT, {"portfolio": portfolio, "rule": rules.AT_RISK.label, "status": "Open"}, "name"
	)
	return frappe._dict(
		rm_a=rm_a, rm_b=rm_b, manager=manager, mine=alert(mine), theirs=[alert(p) for p in theirs]
	)


def test_nobody_creates_edits_or_deletes_an_alert(world):
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(
			{"doctype": ALERT, "rule": rules.AT_RISK.label, "status": "Open", "message": "x"}
		).insert(ignore_permissions=True)
	doc = frappe.get_doc(ALERT, world.mine)
	doc.status = "Closed"
	with pytest.raises(frappe.PermissionError):
		doc.save(ignore_permissions=True)
	with pytest.raises(frappe.PermissionError):
		frappe.delete_doc(ALERT, world.mine, ignore_permissions=True)
	with as_user(world.rm_a):
		with pytest.raises(frappe.PermissionError):
			frappe.client.set_value(ALERT, world.mine, "status", "Closed")
		with pytest.raises(frappe.PermissionError):
			frappe.client.insert({"doctype": ALERT, "rule": rules.AT_RISK.label, "message": "x"})
	with as_user(world.manager):
		with pytest.raises(frappe.PermissionError):
			frappe.client.delete(ALERT, world.mine)
	assert frappe.db.get_value(ALERT, world.mine, "status") == "Open"


def test_relationship_manager_lists_and_opens_only_their_customers_alerts(world):
	with as_user(world.rm_a):
		listed = set(frappe.get_list(ALERT, filters={"status": "Open"}, pluck="name"))
		assert world.mine in listed
		assert not listed.intersection(world.theirs)
		assert frappe.has_permission(ALERT, "read", doc=world.mine)
		assert not frappe.has_permission(ALERT, "read", doc=world.theirs[0])
		with pytest.raises(frappe.PermissionError):
			frappe.client.get(ALERT, world.theirs[0])
	with as_user(world.manager):
		assert set(world.theirs) | {world.mine} <= set(frappe.get_list(ALERT, pluck="name"))


def test_my_alerts_shortcut_counts_only_the_readers_open_alerts(world):
	shortcut = next(
		row for row in frappe.get_doc("Workspace", WORKSPACE).shortcuts if row.label == "My Alerts"
	)
	assert (shortcut.type, shortcut.link_to) == ("DocType", ALERT)
	assert '"status","=","Open"' in shortcut.stats_filter.replace(" ", "")
	assert "frappe.session.user" in shortcut.stats_filter
	with as_user(world.rm_a):
		mine = get_count(ALERT, json.dumps([[ALERT, "status", "=", "Open"]]))
		assert mine == frappe.db.count(
			ALERT, {"status": "Open", "portfolio": frappe.db.get_value(ALERT, world.mine, "portfolio")}
		)
		# the shortcut's own filter (the user's name in place of frappe.session.user)
		assert (
			get_count(
				ALERT,
				json.dumps(
					[[ALERT, "status", "=", "Open"], [ALERT, "relationship_manager", "=", world.rm_a]]
				),
			)
			== mine
		)
		# another manager's name in the filter does not widen it
		assert get_count(ALERT, json.dumps([[ALERT, "relationship_manager", "=", world.rm_b]])) == 0


def test_scorecard_counts_open_alerts_per_rule_in_the_readers_scope(world):
	def at_risk_count():
		rows = {row["key"]: row for row in alert_rows(ReportScope({}))}
		assert set(rows) == {f"alerts_{rule.key}" for rule in rules.RULES}
		return rows[f"alerts_{rules.AT_RISK.key}"]["actual"]

	with as_user(world.rm_a):
		assert at_risk_count() == 1
	with as_user(world.rm_b):
		assert at_risk_count() == 2
	with as_user(world.manager):
		assert at_risk_count() >= 3
