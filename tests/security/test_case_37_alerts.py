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

from brm_app.access.endpoints import get_count, get_group_by_count, search_widget
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


def test_link_search_and_sidebar_counts_show_only_the_readers_alerts(world):
	# ignore_user_permissions=1 made frappe's search run get_list(ignore_permissions=True); the "Assigned To"
	# sidebar counted the ToDos of every alert (docs/security.md, case 37)
	assert (
		frappe.db.get_value("ToDo", frappe.db.get_value(ALERT, world.mine, "todo"), "allocated_to")
		== world.rm_a
	)
	with as_user(world.rm_b):
		found = search_widget(
			doctype=ALERT,
			txt="",
			ignore_user_permissions=1,
			filter_fields=json.dumps(["message", "customer"]),
			page_length=100000,
			as_dict=1,
		)
		names = {row["name"] for row in found}
		assert set(world.theirs) <= names
		assert world.mine not in names
		counts = get_group_by_count(ALERT, "[]", "assigned_to")
		assert world.rm_a not in {row["name"] for row in counts}
		assert {row["name"] for row in counts} == {world.rm_b}


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


# --- over HTTP on a real server (REST v1), with committed records ----------------------------------------

RM_A = "brm-sec-c37-rm-a@example.com"
RM_B = "brm-sec-c37-rm-b@example.com"
OPPORTUNITY = "Service Opportunity"


@pytest.fixture(scope="module")
def http_world(committed):
	from frappe.utils import now_datetime

	from tests.support.security import http_user

	http_user(committed, RM_A, (RELATIONSHIP_MANAGER,))
	http_user(committed, RM_B, (RELATIONSHIP_MANAGER,))
	portfolio = make_portfolio(relationship_manager=RM_A)
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	# one alert as the job writes it (the job itself would open alerts for every committed record)
	alert = frappe.generate_hash(length=10)
	now = now_datetime()
	key = f"c37:{alert}"
	row = {
		"name": alert,
		"rule": rules.AT_RISK.label,
		"status": "Open",
		"portfolio": portfolio.name,
		"customer": portfolio.customer,
		"relationship_manager": RM_A,
		"cause_key": key,
		"open_key": key,
		"opened_on": now,
		"message": "At risk",
		"creation": now,
		"modified": now,
		"owner": "Administrator",
		"modified_by": "Administrator",
	}
	frappe.db.bulk_insert(ALERT, list(row), [tuple(row.values())])
	committed.commit()
	yield frappe._dict(alert=alert, portfolio=portfolio.name, customer=portfolio.customer)
	frappe.db.rollback()
	frappe.db.delete(ALERT, {"name": alert})
	for opportunity in frappe.get_all(OPPORTUNITY, {"customer": portfolio.customer}, pluck="name"):
		from tests.support.security import purge

		purge(OPPORTUNITY, opportunity)
	frappe.db.commit()  # nosemgrep: removes what the module committed for the live server


def test_rest_writes_of_an_alert_are_refused(server, http_world):
	from tests.support.security import HttpUser

	rm = HttpUser(server, RM_A)
	assert rm.resource("GET", ALERT, http_world.alert).status_code == 200
	assert rm.resource("PUT", ALERT, http_world.alert, json={"status": "Closed"}).status_code == 403
	assert rm.resource("DELETE", ALERT, http_world.alert).status_code == 403
	created = rm.resource(
		"POST", ALERT, json={"rule": rules.AT_RISK.label, "portfolio": http_world.portfolio}
	)
	assert created.status_code == 403
	other = HttpUser(server, RM_B)
	assert other.resource("GET", ALERT, http_world.alert).status_code == 403
	listed = other.resource("GET", ALERT, params={"filters": json.dumps([["name", "=", http_world.alert]])})
	assert listed.status_code == 200 and listed.json()["data"] == []
	frappe.db.rollback()
	assert frappe.db.get_value(ALERT, http_world.alert, ["status", "relationship_manager"]) == ("Open", RM_A)


def test_rest_cannot_set_an_opportunitys_status_since(server, http_world):
	from frappe.utils import add_to_date, get_datetime, now_datetime

	from tests.support.security import HttpUser

	rm = HttpUser(server, RM_A)
	started = add_to_date(now_datetime(), seconds=-5)
	response = rm.resource(
		"POST",
		OPPORTUNITY,
		json={
			"opportunity_title": "Case 37",
			"customer": http_world.customer,
			"opportunity_type": "New Service",
			"status_since": "2020-01-01 00:00:00",
		},
	)
	assert response.status_code == 200, response.text
	name = response.json()["data"]["name"]
	frappe.db.rollback()
	since = get_datetime(frappe.db.get_value(OPPORTUNITY, name, "status_since"))
	assert since >= started
	response = rm.resource("PUT", OPPORTUNITY, name, json={"status_since": "2020-01-01 00:00:00"})
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	assert get_datetime(frappe.db.get_value(OPPORTUNITY, name, "status_since")) == since
	response = rm.resource(
		"PUT", OPPORTUNITY, name, json={"status": "Assessing", "status_since": "2020-01-01"}
	)
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	assert get_datetime(frappe.db.get_value(OPPORTUNITY, name, "status_since")) >= since
	assert frappe.db.get_value(OPPORTUNITY, name, "status") == "Assessing"
