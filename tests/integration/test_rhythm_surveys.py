"""Relationship surveys by cadence, drafts, one-click answers and the relationship / delivery split
(issue 18 items 1 and 8; docs/rhythm-surveys.md). Every test runs in a rolled-back transaction on the real
site; mail goes to frappe's Email Queue."""

import frappe
import pytest
from frappe.utils import add_days, add_months, add_to_date, getdate, now_datetime, nowdate

from brm_app.api.portfolio import send_survey_now
from brm_app.brm_app.report.brm_kpi_scorecard import brm_kpi_scorecard
from brm_app.brm_app.report.customer_satisfaction import customer_satisfaction
from brm_app.exceptions import SurveyLinkError
from brm_app.jobs import surveys as jobs
from brm_app.surveys import drafts, scheduling
from brm_app.surveys.submission import submit_with_token
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_contact,
	make_portfolio,
	make_survey,
	make_survey_template,
	mute_mail,
	set_brm_settings,
)
from tests.support.survey_mail import choice_links, queued_mails, survey_links, token_of
from tests.support.users import as_user, make_user

SURVEY = "Satisfaction Survey"
PORTFOLIO = "Customer Portfolio"
RELATIONSHIP = scheduling.RELATIONSHIP_REVIEW
RM_A, RM_B = "brm-rhs-rm-a@example.com", "brm-rhs-rm-b@example.com"


@pytest.fixture(autouse=True)
def baseline():
	set_brm_settings(
		survey_sampling_percent=100,
		survey_delay_hours=0,
		survey_expiry_days=14,
		contact_throttle_days=30,
		survey_cadence_strategic=3,
		survey_cadence_important=6,
		survey_cadence_commodity=0,
	)
	mute_mail()
	discard_error_logs_afterwards()
	# one enabled relationship template, whatever the site has
	frappe.db.set_value("Satisfaction Survey Template", {"trigger": RELATIONSHIP}, "enabled", 0)
	make_survey_template(trigger=RELATIONSHIP)


def portfolio_with_stakeholders(n=1, rm=None, **kw):
	kw.setdefault("relationship_status", "Active")
	portfolio = make_portfolio(relationship_manager=rm, **kw)
	contacts = [make_contact(portfolio.customer) for _ in range(n)]
	for contact in contacts:
		portfolio.append("stakeholders", {"contact": contact.name, "receives_surveys": 1})
	portfolio.save(ignore_permissions=True)
	return portfolio.reload(), contacts


def relationship_surveys(portfolio):
	return frappe.get_all(
		SURVEY, filters={"portfolio": portfolio.name, "trigger": RELATIONSHIP}, pluck="name"
	)


def stored(portfolio, field):
	return frappe.db.get_value(PORTFOLIO, portfolio.name, field)


# --- the cadence ------------------------------------------------------------------------------------------


def test_next_due_follows_importance_override_and_zero():
	strategic, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	commodity, _ = portfolio_with_stakeholders(strategic_importance="Commodity")
	overridden, _ = portfolio_with_stakeholders(strategic_importance="Commodity", survey_cadence_months=2)
	# never surveyed: due now; cadence 0: never
	assert getdate(stored(strategic, "next_relationship_survey_due")) == getdate()
	assert stored(commodity, "next_relationship_survey_due") is None
	assert getdate(stored(overridden, "next_relationship_survey_due")) == getdate()

	last = add_days(nowdate(), -10)
	frappe.db.set_value(PORTFOLIO, strategic.name, "last_relationship_survey_on", last)
	strategic.reload()
	strategic.strategic_importance = "Important"  # 6 months now
	strategic.save(ignore_permissions=True)
	assert getdate(stored(strategic, "next_relationship_survey_due")) == getdate(add_months(last, 6))
	strategic.survey_cadence_months = 1
	strategic.save(ignore_permissions=True)
	assert getdate(stored(strategic, "next_relationship_survey_due")) == getdate(add_months(last, 1))


def test_last_survey_date_is_the_servers():
	portfolio, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	portfolio.last_relationship_survey_on = add_days(nowdate(), -1)
	portfolio.next_relationship_survey_due = add_days(nowdate(), 400)
	portfolio.save(ignore_permissions=True)
	assert stored(portfolio, "last_relationship_survey_on") is None
	assert getdate(stored(portfolio, "next_relationship_survey_due")) == getdate()


def test_settings_change_moves_every_due_date():
	portfolio, _ = portfolio_with_stakeholders(strategic_importance="Important")
	last = add_days(nowdate(), -20)
	frappe.db.set_value(PORTFOLIO, portfolio.name, "last_relationship_survey_on", last)
	settings = frappe.get_doc("BRM Settings")
	settings.survey_cadence_important = 2
	settings.save(ignore_permissions=True)
	assert getdate(stored(portfolio, "next_relationship_survey_due")) == getdate(add_months(last, 2))
	settings.survey_cadence_important = 0
	settings.save(ignore_permissions=True)
	assert stored(portfolio, "next_relationship_survey_due") is None


def test_due_selection_takes_active_due_portfolios_only():
	due, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	at_risk, _ = portfolio_with_stakeholders(strategic_importance="Strategic", relationship_status="At Risk")
	none, _ = portfolio_with_stakeholders(strategic_importance="Commodity")
	ended, _ = portfolio_with_stakeholders(strategic_importance="Strategic", relationship_status="Ended")
	prospect, _ = portfolio_with_stakeholders(
		strategic_importance="Strategic", relationship_status="Prospect"
	)
	dormant, _ = portfolio_with_stakeholders(strategic_importance="Strategic", relationship_status="Dormant")
	later, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	frappe.db.set_value(PORTFOLIO, later.name, "next_relationship_survey_due", add_days(nowdate(), 1))
	selected = set(jobs.due_relationship_portfolios())
	assert {due.name, at_risk.name} <= selected
	assert not {none.name, ended.name, prospect.name, dormant.name, later.name} & selected


def test_job_sends_once_per_round_and_moves_the_due_date():
	portfolio, contacts = portfolio_with_stakeholders(2, strategic_importance="Strategic")
	jobs.schedule_due_relationship_surveys()
	made = relationship_surveys(portfolio)
	assert len(made) == 2
	assert {frappe.db.get_value(SURVEY, name, "contact") for name in made} == {c.name for c in contacts}
	assert getdate(stored(portfolio, "last_relationship_survey_on")) == getdate()
	assert getdate(stored(portfolio, "next_relationship_survey_due")) == getdate(add_months(nowdate(), 3))
	# the send job e-mails them (delay 0)
	assert jobs.send_due_surveys() >= 2
	assert all(queued_mails(name) for name in made)
	# a second run, and a run of the round itself, make nothing more
	jobs.schedule_due_relationship_surveys()
	assert jobs.schedule_relationship_round(portfolio.name) is False
	assert len(relationship_surveys(portfolio)) == 2


def test_throttle_and_sampling_still_apply():
	portfolio, (recent, fresh) = portfolio_with_stakeholders(2, strategic_importance="Strategic")
	make_survey(
		portfolio.customer,
		contact=recent.name,
		email=recent.email_id,
		scheduled_for=add_to_date(now_datetime(), days=-2),
	)
	jobs.schedule_due_relationship_surveys()
	made = relationship_surveys(portfolio)
	assert [frappe.db.get_value(SURVEY, name, "contact") for name in made] == [fresh.name]
	assert frappe.db.exists(
		"Comment", {"reference_name": portfolio.name, "content": ("like", f"%{recent.email_id}%")}
	)

	set_brm_settings(survey_sampling_percent=0)
	other, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	jobs.schedule_due_relationship_surveys()
	assert relationship_surveys(other) == []
	# the round took place (not drawn again tomorrow), but nothing was surveyed
	assert stored(other, "last_relationship_survey_on") is None
	assert getdate(stored(other, "next_relationship_survey_due")) == getdate(add_months(nowdate(), 3))


def test_send_survey_now_restarts_the_cadence():
	portfolio, _ = portfolio_with_stakeholders(strategic_importance="Important")
	result = send_survey_now(portfolio.name)
	assert len(result["sent"]) == 1
	assert getdate(stored(portfolio, "last_relationship_survey_on")) == getdate()
	assert getdate(stored(portfolio, "next_relationship_survey_due")) == getdate(add_months(nowdate(), 6))
	assert portfolio.name not in jobs.due_relationship_portfolios()


# --- one-click answers, drafts, channel ---------------------------------------------------------------------


def sent_survey():
	portfolio, _ = portfolio_with_stakeholders(strategic_importance="Strategic")
	jobs.schedule_due_relationship_surveys()
	(name,) = relationship_surveys(portfolio)
	jobs.send_due_surveys()
	return name


def test_invitation_carries_one_click_rating_buttons():
	name = sent_survey()
	(link,) = survey_links(name)
	token = token_of(link)
	choices = choice_links(name)
	assert [link.rsplit("=", 1)[1] for link in choices] == ["1", "2", "3", "4", "5"]
	assert all(token_of(link) == token for link in choices)


def test_draft_is_kept_restored_and_cleared_on_submit():
	name = sent_survey()
	token = token_of(survey_links(name)[0])
	rows = frappe.get_all(
		"Satisfaction Survey Answer",
		filters={"parent": name},
		fields=["name", "question_type"],
		order_by="idx",
	)
	drafts.save_draft_with_token(token, {rows[0].name: "4"})
	survey = frappe.get_doc(SURVEY, name)
	assert drafts.load_draft(survey) == {rows[0].name: 4}
	assert survey.status == "Sent" and survey.responded_on is None
	answers = {r.name: {"Rating": 4, "NPS": 9, "Yes/No": "Yes", "Text": ""}[r.question_type] for r in rows}
	submit_with_token(token, answers, "email_button")
	survey.reload()
	assert survey.status == "Responded"
	assert survey.response_channel == drafts.EMAIL_BUTTON
	assert survey.draft_answers is None
	# a used link keeps no draft
	with pytest.raises(SurveyLinkError):
		drafts.save_draft_with_token(token, {rows[0].name: "2"})


def test_draft_cleared_and_refused_on_expiry():
	name = sent_survey()
	token = token_of(survey_links(name)[0])
	row = frappe.get_all(
		"Satisfaction Survey Answer", filters={"parent": name}, pluck="name", order_by="idx"
	)[0]
	drafts.save_draft_with_token(token, {row: 3})
	frappe.db.set_value(SURVEY, name, "expires_on", add_to_date(now_datetime(), minutes=-1))
	assert jobs.expire_surveys() >= 1
	assert frappe.db.get_value(SURVEY, name, ["status", "draft_answers"]) == ("Expired", None)
	with pytest.raises(SurveyLinkError):
		drafts.save_draft_with_token(token, {row: 3})


def test_channel_defaults_to_the_survey_link():
	assert drafts.channel_of("email_button") == drafts.EMAIL_BUTTON
	assert drafts.channel_of("desk") == drafts.SURVEY_LINK
	assert drafts.channel_of({"x": 1}) == drafts.SURVEY_LINK


# --- reports ---------------------------------------------------------------------------------------------


def answered(customer, trigger, rating, nps, channel, rm_template):
	survey = make_survey(customer, template=rm_template, trigger=trigger)
	frappe.db.set_value(
		SURVEY,
		survey.name,
		{
			"status": "Responded",
			"sent_on": add_to_date(now_datetime(), days=-2),
			"responded_on": add_to_date(now_datetime(), days=-1),
			"rating_count": 1,
			"satisfied_count": int(rating >= 4),
			"nps_category": "Promoter" if nps >= 9 else "Detractor",
			"response_channel": channel,
		},
	)
	return survey.name


def unanswered(customer, trigger, template):
	survey = make_survey(customer, template=template, trigger=trigger)
	frappe.db.set_value(
		SURVEY, survey.name, {"status": "Sent", "sent_on": add_to_date(now_datetime(), days=-2)}
	)


@pytest.fixture
def split_world():
	make_user(RM_A, ("Business Relationship Manager",))
	make_user(RM_B, ("Business Relationship Manager",))
	template = make_survey_template().name
	a = make_portfolio(relationship_manager=RM_A).customer
	b = make_portfolio(relationship_manager=RM_B).customer
	answered(a, RELATIONSHIP, 5, 10, drafts.EMAIL_BUTTON, template)
	unanswered(a, RELATIONSHIP, template)
	answered(a, "Ticket Closed", 2, 3, drafts.SURVEY_LINK, template)
	answered(b, "Project Delivered", 5, 10, drafts.SURVEY_LINK, template)
	unanswered(b, RELATIONSHIP, template)
	return frappe._dict(a=a, b=b)


def satisfaction(**filters):
	_columns, data, _m, _chart, summary = customer_satisfaction.execute(
		{"from_date": add_days(nowdate(), -30), "to_date": nowdate(), **filters}
	)
	return data, {item["label"]: item["value"] for item in summary}


def test_satisfaction_report_splits_relationship_from_delivery_and_rates_channels(split_world):
	data, _summary = satisfaction(group_by="Customer")
	by_customer = {row["group"]: row for row in data}
	a, b = by_customer[split_world.a], by_customer[split_world.b]
	assert (a["relationship_response_rate"], a["relationship_csat"], a["relationship_nps"]) == (
		50.0,
		100.0,
		100.0,
	)
	assert (a["delivery_response_rate"], a["delivery_csat"], a["delivery_nps"]) == (100.0, 0.0, -100.0)
	assert (a["rate_email_button"], a["rate_survey_link"]) == (33.3, 33.3)
	assert (b["relationship_response_rate"], b["relationship_csat"]) == (0.0, None)
	assert (b["delivery_csat"], b["rate_survey_link"], b["rate_email_button"]) == (100.0, 50.0, 0.0)
	# the existing figures keep counting every survey
	assert (a["sent"], a["responded"], a["csat"]) == (3, 2, 50.0)


def test_relationship_manager_sees_only_their_customers_in_the_new_columns(split_world):
	with as_user(RM_A):
		data, _summary = satisfaction(group_by="Customer")
		rows = brm_kpi_scorecard.execute({"from_date": add_days(nowdate(), -30), "to_date": nowdate()})[1]
	assert [row["group"] for row in data] == [split_world.a]
	by_key = {row["key"]: row["actual"] for row in rows}
	assert by_key["k6_relationship_csat"] == 100.0
	assert by_key["k6_relationship_response_rate"] == 50.0
	assert by_key["k6_delivery_csat"] == 0.0
	assert by_key["k6_delivery_nps"] == -100.0
