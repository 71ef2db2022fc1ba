"""The Customer Portfolio desk (issue 8): the "at a glance" overview, "Send Survey Now" and the connections.

The overview's figures are checked against a hand-built dataset: surveys answered in known months with
known ratings and NPS answers, agreements inside and outside their notice window, an open and a closed
complaint, stakeholders in each influence / interest quadrant. Another relationship manager's portfolio is
refused, and the endpoints take POST only."""

import frappe
import pytest
from frappe.utils import add_days, add_months, get_first_day, getdate, now_datetime, nowdate

from brm_app.api import portfolio as api
from brm_app.brm_app.doctype.customer_portfolio import customer_portfolio_dashboard
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_issue,
	make_issue_type,
	make_portfolio,
	make_survey,
	make_survey_template,
	mute_mail,
	set_brm_settings,
)
from tests.support.survey_mail import queued_mails
from tests.support.users import as_user, make_user

RM = "brm-desk-rm@example.com"
OTHER_RM = "brm-desk-other-rm@example.com"
RELATIONSHIP_MANAGER = "Business Relationship Manager"


@pytest.fixture
def managers():
	make_user(RM, (RELATIONSHIP_MANAGER,))
	make_user(OTHER_RM, (RELATIONSHIP_MANAGER,))


def responded(customer, template, when, rating: int, nps: int):
	"""A survey answered at `when` with one rating and one NPS answer (stored as the answers set them)."""
	survey = make_survey(customer, template)
	category = "Promoter" if nps >= 9 else "Passive" if nps >= 7 else "Detractor"
	ratings = sum(1 for row in survey.answers if row.question_type == "Rating")
	frappe.db.set_value(
		"Satisfaction Survey",
		survey.name,
		{
			"status": "Responded",
			"responded_on": when,
			"sent_on": add_days(when, -1),
			"nps_category": category,
			# the rating counts the controller stores with a response (the CSAT queries sum them)
			"rating_count": ratings,
			"satisfied_count": ratings if rating >= 4 else 0,
		},
	)
	for row in survey.answers:
		score = rating if row.question_type == "Rating" else nps
		frappe.db.set_value("Satisfaction Survey Answer", row.name, {"score": score, "answer": str(score)})
	return survey


def submitted(agreement, status="Active"):
	# submitted and Active, as its sign-off would leave it (the sign-off workflow is tested elsewhere)
	frappe.db.set_value("Customer Agreement", agreement.name, {"docstatus": 1, "status": status})
	return agreement.name


@pytest.fixture
def dataset(managers):
	"""One portfolio with a known history; returns (portfolio, expectations)."""
	make_issue_type("BRM Desk Complaint")
	settings = frappe.get_single("BRM Settings")
	settings.set("complaint_issue_types", [{"issue_type": "BRM Desk Complaint"}])
	settings.save(ignore_permissions=True)
	set_brm_settings()

	contacts = {}
	portfolio = make_portfolio(relationship_manager=RM)
	customer = portfolio.customer
	for key in ("decider", "sponsor", "user", "bystander"):
		contacts[key] = make_contact(customer, first_name=f"Desk {key}")
	portfolio.reload()
	portfolio.set(
		"stakeholders",
		[
			{
				"contact": contacts["decider"].name,
				"stakeholder_role": "Decision Maker",
				"influence": "High",
				"interest": "High",
			},
			{
				"contact": contacts["sponsor"].name,
				"stakeholder_role": "Sponsor",
				"influence": "High",
				"interest": "Low",
			},
			{
				"contact": contacts["user"].name,
				"stakeholder_role": "Key User",
				"influence": "Medium",
				"interest": "High",
			},
			{
				"contact": contacts["bystander"].name,
				"stakeholder_role": "Service User",
				"influence": "Low",
				"interest": "Medium",
			},
		],
	)
	portfolio.save(ignore_permissions=True)

	template = make_survey_template(
		questions=[("How satisfied are you?", "Rating"), ("Would you recommend us?", "NPS")]
	).name
	this_month = get_first_day(nowdate())
	two_months_ago = add_months(this_month, -2)
	# this month: ratings 5, 4, 2 -> 2 of 3 satisfied = 66.7 %; NPS 10, 9, 3 -> (2 - 1) / 3 = 33.3
	responded(customer, template, add_days(this_month, 0), 5, 10)
	responded(customer, template, add_days(this_month, 0), 4, 9)
	responded(customer, template, add_days(this_month, 0), 2, 3)
	# two months ago: rating 1 -> 0 %; NPS 0 -> -100
	responded(customer, template, add_days(two_months_ago, 3), 1, 0)
	# 13 months ago: outside the 12 months shown
	responded(customer, template, add_months(this_month, -13), 5, 10)
	# another customer's answers never count here
	responded(make_portfolio(relationship_manager=OTHER_RM).customer, template, this_month, 1, 0)

	today = getdate(nowdate())
	inside = submitted(
		make_agreement(
			customer, start_date=add_days(today, -300), end_date=add_days(today, 20), notice_period_days=30
		)
	)
	submitted(
		make_agreement(
			customer, start_date=add_days(today, -300), end_date=add_days(today, 200), notice_period_days=30
		)
	)  # before notice
	terminated = make_agreement(
		customer, start_date=add_days(today, -300), end_date=add_days(today, 10), notice_period_days=30
	)
	submitted(terminated, "Terminated")
	make_agreement(
		customer, start_date=add_days(today, -300), end_date=add_days(today, 15), notice_period_days=30
	)  # a draft

	make_issue(customer, contacts["decider"], issue_type="BRM Desk Complaint")  # open complaint
	make_issue(customer, contacts["decider"], issue_type="BRM Desk Complaint", status="Closed")
	make_issue(customer, contacts["decider"])  # not a complaint

	frappe.db.set_value(
		"Customer Portfolio",
		portfolio.name,
		{
			"health_score": 71.5,
			"health_rag": "Amber",
			"health_updated_on": now_datetime(),
			"csat_score": 50,
			"nps_score": -20,
			"sla_compliance": 80,
			"open_complaints": 1,
			"agreement_coverage": 100,
		},
	)
	return portfolio.name, {"inside": inside, "this_month": this_month, "two_months_ago": two_months_ago}


def test_the_overview_adds_up_the_hand_built_dataset(dataset):
	name, expected = dataset
	with as_user(RM):
		overview = api.get_portfolio_overview(name)

	trend = overview["trend"]
	assert len(trend["months"]) == 12 == len(trend["csat"]) == len(trend["nps"]) == len(trend["labels"])
	assert trend["months"][-1] == expected["this_month"].strftime("%Y-%m")
	assert trend["csat"][-1] == 66.7 and trend["nps"][-1] == 33.3
	assert trend["csat"][-3] == 0 and trend["nps"][-3] == -100
	assert trend["csat"][-2] is None and trend["nps"][-2] is None  # no responses last month
	assert [v for v in trend["csat"] if v is not None] == [0, 66.7]  # 13 months ago left out
	# the sample sizes behind each month's figures, and months as the reader reads them
	assert trend["ratings"][-1] > 0 and trend["ratings"][-2] == 0
	assert trend["nps_answers"][-1] == 3 and trend["nps_answers"][-2] == 0
	assert trend["labels"][-1] == frappe.utils.formatdate(expected["this_month"], "MMM yyyy")

	assert overview["open_complaints"] == 1
	assert [row.name for row in overview["expiring_agreements"]] == [expected["inside"]]
	assert overview["expiring_agreements"][0].days_left == 20

	grid = {key: [p["contact"] for p in people] for key, people in overview["stakeholders"].items()}
	assert {key: len(people) for key, people in grid.items()} == {
		"manage_closely": 1,
		"keep_satisfied": 1,
		"keep_informed": 1,
		"monitor": 1,
	}

	health = overview["health"]
	assert health["score"] == 71.5 and health["rag"] == "Amber"
	parts = {part["part"]: part for part in health["parts"]}
	assert parts["nps"]["value"] == -20 and parts["nps"]["score"] == 40  # -20 on 0..100
	assert parts["complaints"]["value"] == 1 and parts["complaints"]["score"] == 80
	assert parts["csat"]["score"] == 50 and parts["sla_compliance"]["score"] == 80
	assert sum(part["weight"] for part in health["parts"]) == 100


def test_a_portfolio_without_health_data_says_so(managers):
	name = make_portfolio(relationship_manager=RM).name
	with as_user(RM):
		overview = api.get_portfolio_overview(name)
	assert overview["health"]["score"] is None
	assert all(part["score"] is None for part in overview["health"]["parts"])
	assert overview["trend"]["csat"] == [None] * 12
	assert overview["expiring_agreements"] == [] and overview["open_complaints"] == 0


def test_a_month_without_nps_answers_is_a_gap_not_zero(managers):
	"""Ratings this month but no NPS answer: the month has a CSAT and no NPS (None, drawn as a gap)."""
	portfolio = make_portfolio(relationship_manager=RM)
	template = make_survey_template(questions=[("How satisfied are you?", "Rating")]).name
	survey = make_survey(portfolio.customer, template)
	survey.answers[0].answer = 5
	survey.update({"status": "Responded", "sent_on": add_days(now_datetime(), -1)})
	survey.save(ignore_permissions=True)
	with as_user(RM):
		trend = api.get_portfolio_overview(portfolio.name)["trend"]
	assert (trend["csat"][-1], trend["ratings"][-1]) == (100.0, 1)
	assert (trend["nps"][-1], trend["nps_answers"][-1]) == (None, 0)


def test_another_managers_portfolio_is_refused(dataset):
	name, _expected = dataset
	with as_user(OTHER_RM):
		with pytest.raises(frappe.PermissionError):
			api.get_portfolio_overview(name)
		with pytest.raises(frappe.PermissionError):
			api.send_survey_now(name)
	assert not frappe.db.exists("Satisfaction Survey", {"customer": name, "trigger": api.RELATIONSHIP_REVIEW})


def test_an_unknown_portfolio_is_not_found(managers):
	with as_user(RM), pytest.raises(frappe.DoesNotExistError):
		api.get_portfolio_overview("No Such Customer <b>")


def test_the_endpoints_take_post_only(site):
	for fn in (api.get_portfolio_overview, api.send_survey_now):
		assert frappe.allowed_http_methods_for_whitelisted_func[fn] == ["POST"]


def test_send_survey_now_sends_to_each_stakeholder_who_receives_surveys(managers):
	mute_mail()
	set_brm_settings(contact_throttle_days=30, survey_expiry_days=14)
	portfolio = make_portfolio(relationship_manager=RM)
	customer = portfolio.customer
	frappe.db.set_value("Customer", customer, "language", "id")
	yes, no, recent = (make_contact(customer, first_name=f"Desk {k}") for k in ("yes", "no", "recent"))
	portfolio.reload()
	portfolio.set(
		"stakeholders",
		[
			{"contact": yes.name, "stakeholder_role": "Sponsor", "receives_surveys": 1},
			{"contact": no.name, "stakeholder_role": "Key User", "receives_surveys": 0},
			{"contact": recent.name, "stakeholder_role": "Key User", "receives_surveys": 1},
		],
	)
	portfolio.save(ignore_permissions=True)
	make_survey(customer, email=recent.email_id, contact=recent.name)  # surveyed a moment ago: throttled

	with as_user(RM):
		result = api.send_survey_now(portfolio.name)

	assert len(result["sent"]) == 1
	assert [row["contact"] for row in result["skipped"]] == [recent.name]
	survey = frappe.get_doc("Satisfaction Survey", result["sent"][0])
	assert (survey.contact, survey.email, survey.status) == (yes.name, yes.email_id, "Sent")
	assert survey.trigger == "Periodic Relationship Review" and survey.respondent_language == "id"
	mails = queued_mails(survey.name)
	assert len(mails) == 1 and mails[0].recipients == [yes.email_id]


def test_send_survey_now_throttles_on_the_send_date(managers):
	"""Send Survey Now: a stakeholder whose last survey went out 40 days ago (its record made today) is
	surveyed; one whose survey record is 40 days old but went out 5 days ago is refused (30-day throttle)."""
	mute_mail()
	set_brm_settings(contact_throttle_days=30, survey_expiry_days=14)
	portfolio = make_portfolio(relationship_manager=RM)
	customer = portfolio.customer
	long_ago, lately = (make_contact(customer, first_name=f"Desk {k}") for k in ("long ago", "lately"))
	portfolio.reload()
	portfolio.set(
		"stakeholders",
		[
			{"contact": contact.name, "stakeholder_role": "Key User", "receives_surveys": 1}
			for contact in (long_ago, lately)
		],
	)
	portfolio.save(ignore_permissions=True)
	now = now_datetime()
	for contact, created, sent in ((long_ago, 0, 40), (lately, 40, 5)):
		earlier = make_survey(customer, email=contact.email_id, contact=contact.name)
		frappe.db.set_value(
			"Satisfaction Survey",
			earlier.name,
			{
				"creation": add_days(now, -created),
				"scheduled_for": add_days(now, -sent),
				"sent_on": add_days(now, -sent),
				"status": "Sent",
			},
			update_modified=False,
		)

	with as_user(RM):
		result = api.send_survey_now(portfolio.name)

	assert [frappe.db.get_value("Satisfaction Survey", name, "contact") for name in result["sent"]] == [
		long_ago.name
	]
	assert [row["contact"] for row in result["skipped"]] == [lately.name]


def test_send_survey_now_needs_a_recipient(managers):
	portfolio = make_portfolio(relationship_manager=RM)
	with as_user(RM), pytest.raises(frappe.ValidationError, match="receives surveys"):
		api.send_survey_now(portfolio.name)


def test_the_connections_cover_every_linked_record(site):
	data = customer_portfolio_dashboard.get_data()
	linked = {item for group in data["transactions"] for item in group["items"]}
	assert linked == {
		"Customer Agreement",
		"Service Opportunity",
		"Business Case",
		"Satisfaction Survey",
		"Service Review",
		"Issue",
		"Project",
	}
	# each linked doctype has the field the connection filters on
	for doctype in linked:
		fieldname = data["non_standard_fieldnames"].get(doctype, data["fieldname"])
		assert frappe.get_meta(doctype).has_field(fieldname), (doctype, fieldname)


def test_the_connections_count_the_customers_issues(managers):
	portfolio = make_portfolio(relationship_manager=RM)
	make_issue(portfolio.customer, make_contact(portfolio.customer))
	from frappe.desk.notifications import get_open_count

	with as_user(RM):
		counts = get_open_count("Customer Portfolio", portfolio.name)
	by_doctype = {row["doctype"]: row for row in counts["count"]["external_links_found"]}
	assert by_doctype["Issue"]["count"] == 1
