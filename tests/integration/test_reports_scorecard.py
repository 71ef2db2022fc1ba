"""BRM KPI Scorecard (issue 6): every K figure computed by hand from a small mixed dataset, row-level access
(a relationship manager sees only their customers, in rows and in the summary and chart too), the `user`
argument of query_report.run cannot widen it, and the RAG status follows the BRM Settings targets."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.utils import add_to_date, now_datetime, nowdate

from brm_app.brm_app.report.brm_kpi_scorecard.brm_kpi_scorecard import execute
from brm_app.integrations import helpdesk_installed
from brm_app.services import kpi
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_business_case,
	make_contact,
	make_customer,
	make_hd_customer,
	make_hd_ticket,
	make_issue,
	make_issue_type,
	make_it_service,
	make_opportunity,
	make_portfolio,
	make_survey,
	mute_mail,
	set_brm_settings,
)
from tests.support.users import as_user
from tests.support.workflow import (
	PROCESS_MANAGER,
	RELATIONSHIP_MANAGER,
	approve_business_case,
	make_approver,
)

REPORT = "BRM KPI Scorecard"
COMPLAINT = "BRM Report Complaint"


@pytest.fixture(autouse=True)
def quiet():
	mute_mail()
	discard_error_logs_afterwards()


def portfolio_of(rm, service, outcome_status=None):
	customer = make_customer().name
	contact = make_contact(customer)
	outcomes = []
	if outcome_status:
		row = {"objective": "Grow", "desired_outcome": "More sales", "status": outcome_status}
		if outcome_status in ("Agreed", "Achieved"):
			row.update(agreed_on=nowdate(), agreed_by=contact.name)
		outcomes.append(row)
	portfolio = make_portfolio(
		customer,
		relationship_manager=rm,
		relationship_status="Active",
		services=[{"it_service": service}],
		business_outcomes=outcomes,
	)
	return portfolio, contact


def respond(customer, values, sent_on):
	survey = make_survey(customer)
	for row, value in zip(survey.answers, values, strict=True):
		row.answer = value
	survey.sent_on = sent_on
	survey.status = "Responded"
	return survey.save(ignore_permissions=True)


def issue(customer, contact, agreement_status=None, **kw):
	doc = make_issue(customer, contact, **kw)
	if agreement_status:
		frappe.db.set_value("Issue", doc.name, "agreement_status", agreement_status)
	return doc


@pytest.fixture
def dataset():
	"""Two relationship managers' customers, all consuming one fresh IT Service (so the Service filter
	isolates them from anything else on the site)."""
	make_issue_type(COMPLAINT)
	settings = frappe.get_single("BRM Settings")
	settings.set("complaint_issue_types", [{"issue_type": COMPLAINT}])
	settings.save(ignore_permissions=True)
	set_brm_settings()

	rm_a, rm_b = make_approver(RELATIONSHIP_MANAGER), make_approver(RELATIONSHIP_MANAGER)
	manager = make_approver(PROCESS_MANAGER)
	service = make_it_service().name
	a1, a1_contact = portfolio_of(rm_a, service, "Agreed")
	a2, _a2_contact = portfolio_of(rm_a, service, "Proposed")
	b1, b1_contact = portfolio_of(rm_b, service, "Achieved")
	sent = add_to_date(now_datetime(), hours=-2)

	# K2: one business case of A1 approved now, its one requirement signed off
	case = approve_business_case(make_business_case(a1.customer), manager=manager)
	# K3 / K4: A1 two service changes (one with a business case), B1 one innovation without
	impacted = [{"it_service": service}]
	change = make_opportunity(a1.customer, opportunity_type="Service Change", impacted_services=impacted)
	frappe.db.set_value("Service Opportunity", change.name, "business_case", case.name)
	make_opportunity(a1.customer, opportunity_type="Service Change", impacted_services=impacted)
	make_opportunity(b1.customer, opportunity_type="Technology Innovation")
	# K5: A1 3 fulfilled + 1 failed; B1 2 failed; one Issue without an SLA result
	for status in ("Fulfilled", "Fulfilled", "Fulfilled", "Failed"):
		issue(a1.customer, a1_contact, status)
	issue(b1.customer, b1_contact, "Failed")
	issue(b1.customer, b1_contact, "Failed")
	issue(b1.customer, b1_contact)
	# K6: A1 ratings 5,4 / 2,1 and NPS 10 / 3; one more sent to A1 and not answered; B1 ratings 5,5 NPS 9
	respond(a1.customer, [5, 4, 10, "Yes", ""], sent)
	detractor = respond(a1.customer, [2, 1, 3, "No", ""], sent)
	waiting = make_survey(a2.customer)
	frappe.db.set_value("Satisfaction Survey", waiting.name, {"status": "Sent", "sent_on": sent})
	respond(b1.customer, [5, 5, 9, "Yes", ""], sent)
	# K7: A1 two complaints, one turned into an improvement that was delivered; the detractor survey not
	# followed up; B1 one complaint not followed up
	complaint = issue(a1.customer, a1_contact, issue_type=COMPLAINT)
	issue(a1.customer, a1_contact, issue_type=COMPLAINT)
	issue(b1.customer, b1_contact, issue_type=COMPLAINT)
	improvement = make_opportunity(
		a1.customer, opportunity_type="Continual Improvement", source_issue=complaint.name
	)
	frappe.db.set_value("Service Opportunity", improvement.name, "status", "Delivered")
	return frappe._dict(
		rm_a=rm_a, rm_b=rm_b, manager=manager, service=service, case=case, detractor=detractor.name
	)


SPLIT_KEYS = [
	f"k6_{kind}_{name}" for kind in ("relationship", "delivery") for name in ("csat", "nps", "response_rate")
]


def figures(rows):
	by_key = {row["key"]: row for row in rows}
	return {f.key: by_key[f.key] for f in kpi.FIGURES}


def expected_for(data, who):
	"""The figures by hand. `who`: "a" (RM A's customers) or "all" (A and B)."""
	cycle = frappe.db.get_value("Business Case", data.case.name, "cycle_time_days")
	in_sign_off = frappe.db.get_value("Business Case", data.case.name, "customer_sign_off_days")
	if who == "a":
		return {
			"k1_outcomes_agreed": 50.0,  # A1 of A1, A2
			"k2_cases_approved": 1,
			"k2_requirements_signed_off": 100.0,
			"k2_days_to_approval": round(cycle, 1),
			"k2_days_in_customer_sign_off": round(in_sign_off, 1),
			"k2_deliveries_accepted": None,  # no project completed: no data, not 0
			"k3_service_changes": 2,
			"k3_to_business_case": 50.0,
			"k4_innovations": 0,
			"k4_to_business_case": None,
			"k5_sla_compliance": 75.0,  # 3 of 4
			"k5_outcomes_achieved": 0.0,  # A1's outcome is Agreed, not Achieved
			"k6_csat": 50.0,  # 5, 4 of 5, 4, 2, 1
			"k6_nps": 0.0,  # one promoter, one detractor
			"k6_response_rate": 66.7,  # 2 of 3 sent
			# the relationship / delivery split: these surveys are Manual, in neither (issue 18)
			**dict.fromkeys(SPLIT_KEYS),
			"k7_feedback": 3,  # 2 complaints + 1 detractor survey
			"k7_feedback_linked": 33.3,  # one complaint
			"k7_improvements_delivered": 100.0,
		}
	return {
		"k1_outcomes_agreed": 66.7,  # A1, B1 of A1, A2, B1
		"k2_cases_approved": 1,
		"k2_requirements_signed_off": 100.0,
		"k2_days_to_approval": round(cycle, 1),
		"k2_days_in_customer_sign_off": round(in_sign_off, 1),
		"k2_deliveries_accepted": None,  # no project completed: no data, not 0
		"k3_service_changes": 2,
		"k3_to_business_case": 50.0,
		"k4_innovations": 1,
		"k4_to_business_case": 0.0,
		"k5_sla_compliance": 50.0,  # 3 of 6
		"k5_outcomes_achieved": 50.0,  # B1 of A1, B1
		"k6_csat": 66.7,  # 4 of 6 ratings
		"k6_nps": 33.3,  # (2 - 1) / 3
		"k6_response_rate": 75.0,  # 3 of 4
		**dict.fromkeys(SPLIT_KEYS),
		"k7_feedback": 4,  # 3 complaints + 1 detractor
		"k7_feedback_linked": 25.0,
		"k7_improvements_delivered": 100.0,
	}


def chart_actuals(chart):
	return chart["data"]["datasets"][0]["values"]


def percent_actuals(expected):
	"""The chart draws the percentage figures that have data (a figure without data is no bar of 0)."""
	return [expected[f.key] for f in kpi.FIGURES if f.unit == kpi.PERCENT and expected[f.key] is not None]


def actuals(rows):
	return {key: row["actual"] for key, row in figures(rows).items()}


def test_process_manager_sees_every_figure_of_both_managers(dataset):
	with as_user(dataset.manager):
		columns, rows, message, chart, summary = execute({"service": dataset.service})
	assert actuals(rows) == expected_for(dataset, "all")
	assert all(col.get("fieldname") for col in columns)
	assert "BRM Settings" in message
	assert chart_actuals(chart) == percent_actuals(expected_for(dataset, "all"))
	assert sum(item["value"] for item in summary) == len(kpi.FIGURES)


def test_relationship_manager_sees_only_their_customers(dataset):
	with as_user(dataset.rm_a):
		_columns, rows, _message, chart, _summary = execute({"service": dataset.service})
		# no filter at all: still only A's customers (nothing else on the site belongs to RM A)
		_columns, unfiltered, *_rest = execute({})
		# asking for the other manager's customers gives nothing of theirs
		_columns, other, *_rest = execute({"service": dataset.service, "relationship_manager": dataset.rm_b})
	assert actuals(rows) == expected_for(dataset, "a")
	assert chart_actuals(chart) == percent_actuals(expected_for(dataset, "a"))
	# zero is not no data: A's K5 outcomes achieved is a measured 0 % (a bar of 0), A has no innovation at all
	# (K4's share has no data: no bar)
	labels = chart["data"]["labels"]
	assert any(label.startswith("K5 Portfolios with an outcome achieved") for label in labels)
	assert not any(label.startswith("K4 Innovations that reached") for label in labels)
	assert actuals(unfiltered) == expected_for(dataset, "a")
	assert actuals(other)["k6_csat"] is None and actuals(other)["k5_sla_compliance"] is None
	assert actuals(other)["k7_feedback"] == 0


def test_query_report_run_cannot_be_widened_with_the_user_argument(dataset):
	with as_user(dataset.rm_a):
		result = run(REPORT, filters={"service": dataset.service}, user="Administrator")
		# and as the desk calls it (no user): Link columns must not need Customer read permission
		plain = run(REPORT, filters={"service": dataset.service})
	assert actuals(result["result"]) == expected_for(dataset, "a")
	with as_user(dataset.manager):
		result = run(REPORT, filters={"service": dataset.service})
	assert actuals(result["result"]) == expected_for(dataset, "all")
	assert actuals(plain["result"]) == expected_for(dataset, "a")


def test_rag_summary_and_chart_follow_targets_and_rows(dataset):
	set_brm_settings(kpi_rag_tolerance=10, target_k6_csat=70, target_k5_sla_compliance=50, target_k6_nps=40)
	with as_user(dataset.manager):
		_columns, rows, _message, chart, summary = execute({"service": dataset.service})
	by_key = figures(rows)
	assert by_key["k6_csat"]["rag"] == kpi.AMBER  # 66.7 vs 70, within 7
	assert by_key["k5_sla_compliance"]["rag"] == kpi.GREEN  # 50 vs 50
	assert by_key["k6_nps"]["rag"] == kpi.RED  # 33.3 vs 40, more than 4 short
	assert by_key["k7_feedback"]["rag"] is None and by_key["k7_feedback"]["target"] is None
	assert by_key["k6_csat"]["target"] == 70

	counted = {item["label"]: item["value"] for item in summary}
	for status in (kpi.GREEN, kpi.AMBER, kpi.RED):
		assert counted[status] == sum(1 for row in rows if row["rag"] == status)
	percent_rows = [row for row in rows if row["value_fieldtype"] == "Percent" and row["actual"] is not None]
	assert chart["data"]["labels"] == [f"{row['kpi']} {row['figure']}" for row in percent_rows]
	assert chart["data"]["datasets"][0]["values"] == [row["actual"] for row in percent_rows]
	assert chart["data"]["datasets"][1]["values"] == [row["target"] for row in percent_rows]
	assert None not in chart["data"]["datasets"][0]["values"]


def test_previous_period_and_trend(dataset):
	"""Everything above happened today: a period ending yesterday sees none of it, and the next period's
	trend compares with it."""
	today = frappe.utils.getdate(nowdate())
	yesterday = frappe.utils.add_days(today, -1)
	with as_user(dataset.manager):
		_c, before, *_r = execute({"service": dataset.service, "from_date": yesterday, "to_date": yesterday})
		_c, now_rows, *_r = execute({"service": dataset.service, "from_date": today, "to_date": today})
	before_figures = actuals(before)
	assert before_figures["k6_csat"] is None and before_figures["k2_cases_approved"] == 0
	by_key = figures(now_rows)
	assert by_key["k2_cases_approved"]["previous"] == 0 and by_key["k2_cases_approved"]["trend"] == kpi.UP
	assert by_key["k6_csat"]["previous"] is None and by_key["k6_csat"]["trend"] is None


def test_detractor_linked_to_an_improvement_counts(dataset):
	"""Follow the detractor survey up with an improvement still in progress: linked share up, delivered down."""
	make_opportunity(
		frappe.db.get_value("Satisfaction Survey", dataset.detractor, "customer"),
		opportunity_type="Continual Improvement",
		source="Survey",
		source_survey=dataset.detractor,
	)
	with as_user(dataset.rm_a):
		_c, rows, *_r = execute({"service": dataset.service})
	got = actuals(rows)
	assert got["k7_feedback_linked"] == 66.7  # the complaint and the detractor, of 3
	assert got["k7_improvements_delivered"] == 50.0  # one of two delivered


def test_helpdesk_tickets_count_for_sla_and_complaints(dataset):
	"""With the Helpdesk app, an HD Ticket of the customer's HD Customer counts like an Issue (K5, K7)."""
	assert helpdesk_installed()
	if not frappe.db.exists("HD Ticket Type", COMPLAINT):
		frappe.get_doc({"doctype": "HD Ticket Type", "name": COMPLAINT}).insert(ignore_permissions=True)
	customer = frappe.db.get_value("Satisfaction Survey", dataset.detractor, "customer")
	hd_customer = make_hd_customer(customer)
	contact = make_contact(customer)
	failed = make_hd_ticket(hd_customer, contact)
	frappe.db.set_value("HD Ticket", failed.name, "agreement_status", "Failed")
	complaint = make_hd_ticket(hd_customer, contact, ticket_type=COMPLAINT)
	make_opportunity(
		customer,
		opportunity_type="Continual Improvement",
		source="Complaint or Feedback",
		source_hd_ticket=str(complaint.name),
	)
	with as_user(dataset.rm_a):
		_c, rows, *_r = execute({"service": dataset.service})
	got = actuals(rows)
	assert got["k5_sla_compliance"] == 60.0  # 3 of 5: the HD Ticket failed
	assert got["k7_feedback"] == 4  # 2 complaint Issues, 1 complaint HD Ticket, 1 detractor
	assert got["k7_feedback_linked"] == 50.0  # a complaint Issue and the HD Ticket
	assert got["k7_improvements_delivered"] == 50.0  # one of the two improvements delivered
