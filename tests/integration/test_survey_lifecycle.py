"""Survey lifecycle on the real site (issue 5; docs/design.md S3 f, K6; docs/security.md cases 11, 12, 20, 21):
scheduling when an Issue closes (sampling, delay, throttle, template, skips with a reason, idempotence),
the send / remind / expire jobs, token handling, follow-ups and agreement renewal reminders.

Every test runs in a rolled-back transaction. The only stand-in is the mail transport in the failure
tests (frappe.sendmail made to raise for one recipient)."""

import hashlib
import random

import frappe
import pytest
from frappe.utils import add_days, add_to_date, get_datetime, now_datetime, nowdate
from frappe.utils.password import get_decrypted_password

from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import submit_answers
from brm_app.exceptions import SurveyLinkError
from brm_app.integrations.tickets import schedule_survey_for_ticket
from brm_app.jobs import agreements as agreement_jobs
from brm_app.jobs import surveys as jobs
from brm_app.links import tokens as link_tokens
from brm_app.surveys import scheduling, tokens
from brm_app.surveys.submission import submit_with_token
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_agreement,
	make_contact,
	make_issue,
	make_portfolio,
	make_survey,
	make_survey_template,
	mute_mail,
	set_brm_settings,
	uid,
)
from tests.support.survey_mail import queued_mails, survey_links, token_of
from tests.support.users import make_user

SURVEY = "Satisfaction Survey"
RM = "brm-h5-rm@example.com"


@pytest.fixture(autouse=True)
def baseline_settings():
	"""Known survey settings, whatever the site has."""
	set_brm_settings(
		survey_sampling_percent=100,
		survey_delay_hours=24,
		survey_expiry_days=14,
		reminder_after_days=5,
		max_reminders=1,
		contact_throttle_days=30,
		low_score_threshold=60,
	)


@pytest.fixture(autouse=True)
def muted_mail():
	"""E-mails are queued (with frappe's stand-in sender) and never sent from the test."""
	mute_mail()


@pytest.fixture(autouse=True)
def no_error_logs_left():
	discard_error_logs_afterwards()


def world(rm: bool = False, **portfolio_kw):
	"""A customer with a portfolio (relationship manager RM when `rm`) and one contact."""
	if rm:
		make_user(RM, ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=RM if rm else None, **portfolio_kw)
	contact = make_contact(portfolio.customer)
	return portfolio, contact


def close(issue, status="Closed"):
	issue.status = status
	issue.save(ignore_permissions=True)
	return issue


def surveys_of(doctype, name):
	return frappe.get_all(
		SURVEY,
		filters={"reference_doctype": doctype, "reference_name": str(name)},
		fields=["*"],
		order_by="creation asc",
	)


def info_comments(doctype, name):
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": str(name), "comment_type": "Info"},
		pluck="content",
	)


def scheduled_survey(rm: bool = False, **kw):
	"""A Scheduled survey due now, made by closing an Issue."""
	portfolio, contact = world(rm=rm)
	issue = close(make_issue(portfolio.customer, contact, **kw))
	name = surveys_of("Issue", issue.name)[0].name
	frappe.db.set_value(SURVEY, name, "scheduled_for", add_to_date(now_datetime(), minutes=-1))
	return frappe.get_doc(SURVEY, name)


def sent_survey(rm: bool = False):
	survey = scheduled_survey(rm=rm)
	assert jobs.send_due_surveys() >= 1
	return frappe.get_doc(SURVEY, survey.name)


# --- scheduling when an Issue closes -------------------------------------------------------------------


def test_closing_an_issue_schedules_a_ticket_closed_survey():
	portfolio, contact = world(rm=True)
	issue = make_issue(portfolio.customer, contact)
	assert surveys_of("Issue", issue.name) == []

	before = now_datetime()
	close(issue)

	(survey,) = surveys_of("Issue", issue.name)
	assert survey.status == "Scheduled"
	assert survey.trigger == "Ticket Closed"
	assert frappe.db.get_value("Satisfaction Survey Template", survey.template, "trigger") == "Ticket Closed"
	assert survey.customer == portfolio.customer
	assert survey.contact == contact.name
	assert survey.email == contact.email_id
	assert survey.portfolio == portfolio.name
	assert survey.relationship_manager == RM
	# the delay of BRM Settings (24 hours)
	delay = get_datetime(survey.scheduled_for) - before
	assert 24 * 3600 - 5 <= delay.total_seconds() <= 24 * 3600 + 60
	assert not survey.token_hash  # no link before it is sent


def test_delay_comes_from_brm_settings():
	set_brm_settings(survey_delay_hours=3)
	portfolio, contact = world()
	before = now_datetime()
	issue = close(make_issue(portfolio.customer, contact))
	(survey,) = surveys_of("Issue", issue.name)
	assert 3 * 3600 - 5 <= (get_datetime(survey.scheduled_for) - before).total_seconds() <= 3 * 3600 + 60


def test_template_in_the_respondents_language_is_preferred():
	portfolio, contact = world()
	frappe.db.set_value("Customer", portfolio.customer, "language", "id")
	indonesian = make_survey_template(trigger="Ticket Closed", language="id")
	make_survey_template(trigger="Ticket Closed", language="en")  # newer, but not the customer's language

	issue = close(make_issue(portfolio.customer, contact))

	(survey,) = surveys_of("Issue", issue.name)
	assert survey.template == indonesian.name
	assert survey.respondent_language == "id"


def test_the_default_templates_ask_an_indonesian_respondent_in_indonesian_and_others_in_english():
	"""With only the default templates installed (one per trigger and language), the survey of an Indonesian
	customer copies the Indonesian questions and its e-mail is Indonesian; an English one stays English."""
	from brm_app.brm_app.doctype.satisfaction_survey_template.satisfaction_survey_template import (
		ensure_default_templates,
	)

	for name in frappe.get_all(
		"Satisfaction Survey Template", filters={"trigger": "Ticket Closed"}, pluck="name"
	):
		frappe.delete_doc("Satisfaction Survey Template", name, force=True, ignore_permissions=True)
	ensure_default_templates()
	questions = {}
	for language in ("id", "en"):
		portfolio, contact = world()
		frappe.db.set_value("Customer", portfolio.customer, "language", language)
		issue = close(make_issue(portfolio.customer, contact))
		(survey,) = surveys_of("Issue", issue.name)
		assert frappe.db.get_value("Satisfaction Survey Template", survey.template, "language") == language
		questions[language] = frappe.get_all(
			"Satisfaction Survey Answer", filters={"parent": survey.name}, pluck="question", order_by="idx"
		)
		if language == "id":
			frappe.db.set_value(SURVEY, survey.name, "scheduled_for", add_to_date(now_datetime(), minutes=-1))
			jobs.send_due_surveys()
			(mail,) = queued_mails(survey.name)
			assert "Isi survei" in mail.html
	assert questions["id"][0] == "Seberapa puas Anda dengan penanganan permintaan Anda?"
	assert questions["en"][0] == "How satisfied are you with how your request was handled?"


def test_the_respondents_own_language_wins_over_a_customer_language_that_is_only_the_sites():
	"""ERPNext gives every new customer the site's language: that must not hide the contact's choice."""
	portfolio, contact = world()
	site_language = frappe.db.get_default("lang") or "en"
	assert site_language != "id"
	frappe.db.set_value("Customer", portfolio.customer, "language", site_language)
	respondent = make_user("brm-lifecycle-respondent@example.com")
	frappe.db.set_value("User", respondent, "language", "id")
	frappe.db.set_value("Contact", contact, "user", respondent)
	assert scheduling.respondent_language(portfolio.customer, contact) == "id"

	# without a portal user: a deliberate customer language counts, the site's default is the fallback
	frappe.db.set_value("Contact", contact, "user", None)
	assert scheduling.respondent_language(portfolio.customer, contact) == site_language
	frappe.db.set_value("Customer", portfolio.customer, "language", "id")
	assert scheduling.respondent_language(portfolio.customer, contact) == "id"


def test_resolving_counts_as_closing_and_resolved_to_closed_adds_nothing():
	portfolio, contact = world()
	issue = close(make_issue(portfolio.customer, contact), status="Resolved")
	assert len(surveys_of("Issue", issue.name)) == 1
	close(issue, status="Closed")
	assert len(surveys_of("Issue", issue.name)) == 1


def test_a_ticket_closed_reopened_and_closed_again_gets_one_survey():
	set_brm_settings(contact_throttle_days=0)  # only the one-per-ticket rule is at work
	portfolio, contact = world()
	issue = close(make_issue(portfolio.customer, contact))
	issue.status = "Open"
	issue.save(ignore_permissions=True)
	close(issue)
	assert len(surveys_of("Issue", issue.name)) == 1


def test_sampling_follows_the_seeded_random_generator(monkeypatch):
	set_brm_settings(survey_sampling_percent=50)
	seed = 20261127
	monkeypatch.setattr(scheduling, "_rng", random.Random(seed))
	expected_draws = random.Random(seed)
	portfolio, _contact = world()

	expected, actual = [], []
	for _ in range(12):
		contact = make_contact(portfolio.customer)  # a new contact each time: no throttle
		issue = close(make_issue(portfolio.customer, contact))
		expected.append(expected_draws.random() * 100 < 50)
		actual.append(bool(surveys_of("Issue", issue.name)))
		if not actual[-1]:
			assert "not picked in the 50.0% sample" in " ".join(info_comments("Issue", issue.name))
	assert actual == expected
	assert True in actual and False in actual  # this seed exercises both outcomes


def test_sampling_at_zero_percent_never_surveys_and_says_why():
	set_brm_settings(survey_sampling_percent=0)
	portfolio, contact = world()
	issue = close(make_issue(portfolio.customer, contact))
	assert surveys_of("Issue", issue.name) == []
	assert any("sample" in c for c in info_comments("Issue", issue.name))


def test_contact_throttle_blocks_a_second_survey_within_the_window():
	portfolio, contact = world()
	first = close(make_issue(portfolio.customer, contact))
	second = close(make_issue(portfolio.customer, contact))

	assert len(surveys_of("Issue", first.name)) == 1
	assert surveys_of("Issue", second.name) == []
	(comment,) = info_comments("Issue", second.name)
	assert "already got survey" in comment and "30 days" in comment


def test_contact_throttle_allows_a_survey_after_the_window():
	portfolio, contact = world()
	first = close(make_issue(portfolio.customer, contact))
	old = surveys_of("Issue", first.name)[0].name
	back_date(old, created_days_ago=31, sent_days_ago=31)

	second = close(make_issue(portfolio.customer, contact))
	assert len(surveys_of("Issue", second.name)) == 1


def back_date(survey: str, created_days_ago: int, sent_days_ago: int) -> None:
	"""A survey record made `created_days_ago` days ago and e-mailed `sent_days_ago` days ago."""
	now = now_datetime()
	frappe.db.set_value(
		SURVEY,
		survey,
		{
			"creation": add_days(now, -created_days_ago),
			"scheduled_for": add_days(now, -sent_days_ago),
			"sent_on": add_days(now, -sent_days_ago),
			"status": "Sent",
		},
		update_modified=False,
	)


def test_throttle_counts_from_the_send_date_not_the_record_date():
	"""Sent 40 days ago though the record was made today: outside the 30-day window, a new survey goes."""
	portfolio, contact = world()
	earlier = make_survey(portfolio.customer, email=contact.email_id, contact=contact.name)
	back_date(earlier.name, created_days_ago=0, sent_days_ago=40)

	scheduling.check_throttle(contact.name, contact.email_id, 30)  # no Skip raised
	issue = close(make_issue(portfolio.customer, contact))
	assert len(surveys_of("Issue", issue.name)) == 1
	assert info_comments("Issue", issue.name) == []


def test_throttle_refuses_a_survey_sent_recently_from_an_old_record():
	"""Record made 40 days ago but e-mailed 5 days ago: inside the 30-day window, refused."""
	portfolio, contact = world()
	earlier = make_survey(portfolio.customer, email=contact.email_id, contact=contact.name)
	back_date(earlier.name, created_days_ago=40, sent_days_ago=5)

	with pytest.raises(scheduling.Skip, match=earlier.name):
		scheduling.check_throttle(contact.name, contact.email_id, 30)
	issue = close(make_issue(portfolio.customer, contact))
	assert surveys_of("Issue", issue.name) == []
	(comment,) = info_comments("Issue", issue.name)
	assert earlier.name in comment and "30 days" in comment


def test_throttle_matches_the_address_even_through_another_contact():
	portfolio, contact = world()
	close(make_issue(portfolio.customer, contact))
	# the same address raised without the contact link
	second = close(make_issue(portfolio.customer, None, raised_by=contact.email_id))
	assert surveys_of("Issue", second.name) == []


def test_a_ticket_without_contact_email_is_skipped_with_a_reason():
	portfolio, _contact = world()
	issue = close(make_issue(portfolio.customer, None, raised_by=None))
	assert surveys_of("Issue", issue.name) == []
	(comment,) = info_comments("Issue", issue.name)
	assert "no contact e-mail" in comment


def test_the_sender_address_is_used_when_the_ticket_has_no_contact():
	portfolio, _contact = world()
	address = f"{uid('sender-')}@example.com"
	issue = close(make_issue(portfolio.customer, None, raised_by=address))
	(survey,) = surveys_of("Issue", issue.name)
	assert survey.email == address
	assert survey.contact is None


def test_an_agent_who_raised_the_ticket_is_not_surveyed():
	portfolio, _contact = world()
	agent = make_user(f"{uid('agent-')}@example.com", ("Support Team",))
	issue = close(make_issue(portfolio.customer, None, raised_by=agent))
	assert surveys_of("Issue", issue.name) == []
	assert "no contact e-mail" in info_comments("Issue", issue.name)[0]


def test_a_customer_without_portfolio_is_skipped_with_a_reason():
	portfolio, contact = world()
	frappe.db.delete("Customer Portfolio", {"name": portfolio.name})
	issue = close(make_issue(portfolio.customer, contact))
	assert surveys_of("Issue", issue.name) == []
	(comment,) = info_comments("Issue", issue.name)
	assert "has no Customer Portfolio" in comment


def test_a_ticket_without_customer_is_skipped_with_a_reason():
	_portfolio, contact = world()
	issue = close(make_issue(None, contact))
	assert surveys_of("Issue", issue.name) == []
	assert "has no customer" in info_comments("Issue", issue.name)[0]


def test_no_enabled_template_for_the_trigger_is_skipped_with_a_reason():
	frappe.db.set_value("Satisfaction Survey Template", {"trigger": "Ticket Closed"}, "enabled", 0)
	portfolio, contact = world()
	issue = close(make_issue(portfolio.customer, contact))
	assert surveys_of("Issue", issue.name) == []
	assert "no enabled survey template" in info_comments("Issue", issue.name)[0]


def test_a_failing_survey_hook_never_stops_the_ticket_from_closing():
	# an absurd delay makes the scheduled time overflow: a real error inside the hook
	set_brm_settings(survey_delay_hours=2_000_000_000)
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)
	frappe.local.message_log = []
	close(issue)

	assert frappe.db.get_value("Issue", issue.name, "status") == "Closed"
	assert surveys_of("Issue", issue.name) == []
	assert frappe.db.exists(
		"Error Log",
		{"reference_doctype": "Issue", "reference_name": issue.name, "method": ("like", "%survey%")},
	)
	assert not frappe.local.message_log  # the agent closing the ticket is not shown the failure


def close_as_in_production(issue, monkeypatch, status="Closed"):
	"""Close outside test mode: the hook then only enqueues the survey job, to run after commit."""
	monkeypatch.setattr(frappe.flags, "in_test", False)
	try:
		return close(issue, status)
	finally:
		monkeypatch.setattr(frappe.flags, "in_test", True)


def jobs_enqueued_after_commit() -> list[tuple[str, dict]]:
	"""(method, kwargs) of the jobs frappe.enqueue(enqueue_after_commit=True) holds until the commit."""
	jobs_ = []
	for callback in frappe.db.after_commit._functions:
		for cell in callback.__closure__ or ():
			value = cell.cell_contents
			if isinstance(value, dict) and {"method", "kwargs", "site"} <= set(value):
				jobs_.append((value["method"], value["kwargs"]))
	return jobs_


def test_closing_a_ticket_only_enqueues_the_survey_job_after_commit(monkeypatch):
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)

	close_as_in_production(issue, monkeypatch)

	assert surveys_of("Issue", issue.name) == []  # nothing scheduled inside the agent's save
	assert jobs_enqueued_after_commit() == [
		("brm_app.integrations.tickets.schedule_survey_for_ticket", {"doctype": "Issue", "name": issue.name})
	]
	frappe.db.after_commit.reset()  # never reaches a real queue from a test
	# what the background worker then runs
	survey = schedule_survey_for_ticket("Issue", issue.name)
	assert [s.name for s in surveys_of("Issue", issue.name)] == [survey]
	assert schedule_survey_for_ticket("Issue", issue.name) is None  # a second job adds nothing


def test_a_ticket_reopened_before_the_job_runs_gets_no_survey_yet(monkeypatch):
	portfolio, contact = world()
	issue = close_as_in_production(make_issue(portfolio.customer, contact), monkeypatch)
	frappe.db.after_commit.reset()
	issue.status = "Open"
	issue.save(ignore_permissions=True)
	assert schedule_survey_for_ticket("Issue", issue.name) is None
	assert surveys_of("Issue", issue.name) == []


def test_imported_tickets_do_not_schedule_surveys():
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)
	frappe.flags.in_import = True
	try:
		close(issue)
	finally:
		frappe.flags.in_import = False
	assert surveys_of("Issue", issue.name) == []


# --- sending -------------------------------------------------------------------------------------------


def test_send_job_queues_the_invitation_with_a_working_link():
	survey = scheduled_survey()

	assert jobs.send_due_surveys() == 1

	survey.reload()
	assert survey.status == "Sent"
	assert survey.sent_on
	expected_expiry = add_days(get_datetime(survey.sent_on), 14)
	assert abs((get_datetime(survey.expires_on) - expected_expiry).total_seconds()) < 2
	(mail,) = queued_mails(survey.name)
	assert mail.recipients == [survey.email]
	(link,) = survey_links(survey.name)
	token = token_of(link)
	assert "/survey?token=" in link
	# the link opens exactly this survey, while the survey stores only the token's SHA-256
	assert tokens.find_open_survey(token) == survey.name
	assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest()
	assert token not in frappe.as_json(survey.as_dict())
	assert len(token) >= 43  # 32 random bytes, URL-safe base64


def test_the_invitation_escapes_names_and_never_evaluates_template_code():
	portfolio, _contact = world()
	contact = make_contact(portfolio.customer, first_name="Ann & Co {{ 7*7 }}")
	template = make_survey_template(trigger="Ticket Closed", intro="Tell us <b>now</b> {{ 6*7 }}")
	issue = close(
		make_issue(portfolio.customer, contact, subject="Printer <i>jammed</i> <script>alert(2)</script>")
	)
	survey = surveys_of("Issue", issue.name)[0].name
	assert frappe.db.get_value(SURVEY, survey, "template") == template.name
	frappe.db.set_value(SURVEY, survey, "scheduled_for", add_to_date(now_datetime(), minutes=-1))

	jobs.send_due_surveys()

	(mail,) = queued_mails(survey)
	for raw in ("<script", "<i>jammed</i>", "<b>now</b>"):
		assert raw not in mail.html
	# the ticket's subject as frappe stored it, shown as text
	stored_subject = frappe.db.get_value("Issue", issue.name, "subject")
	assert "jammed" in stored_subject
	assert frappe.utils.escape_html(stored_subject) in mail.html
	assert "Ann &amp; Co" in mail.html
	assert "{{ 7*7 }}" in mail.html and "{{ 6*7 }}" in mail.html
	assert "Co 49" not in mail.html and "&gt; 42" not in mail.html


def test_token_hashes_are_compared_in_constant_time(monkeypatch):
	survey = sent_survey()
	token = token_of(survey_links(survey.name)[0])
	calls = []
	real_compare = link_tokens.hmac.compare_digest

	def spy(a, b):
		calls.append((a, b))
		return real_compare(a, b)

	monkeypatch.setattr(link_tokens.hmac, "compare_digest", spy)
	assert tokens.find_open_survey(token) == survey.name
	assert tokens.find_open_survey(tokens.new_token()) is None  # unknown: compared all the same
	assert len(calls) == 2


def test_a_second_send_run_sends_nothing_new():
	survey = scheduled_survey()
	assert jobs.send_due_surveys() == 1
	assert jobs.send_due_surveys() == 0
	assert len(queued_mails(survey.name)) == 1


def test_surveys_not_yet_due_are_not_sent():
	portfolio, contact = world()
	issue = close(make_issue(portfolio.customer, contact))
	survey = surveys_of("Issue", issue.name)[0]
	jobs.send_due_surveys()
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Scheduled"
	assert queued_mails(survey.name) == []


def test_a_mail_failure_is_logged_the_others_go_out_and_the_next_run_retries(monkeypatch):
	failing = scheduled_survey()
	working = scheduled_survey()
	real_sendmail = frappe.sendmail

	def sendmail(*args, **kwargs):
		if failing.email in (kwargs.get("recipients") or []):
			raise frappe.OutgoingEmailError("SMTP relay refused the message")
		return real_sendmail(*args, **kwargs)

	monkeypatch.setattr(frappe, "sendmail", sendmail)
	assert jobs.send_due_surveys() == 1

	assert frappe.db.get_value(SURVEY, working.name, "status") == "Sent"
	# the failed one is untouched: still Scheduled, no link issued, no e-mail queued, error logged
	assert frappe.db.get_value(SURVEY, failing.name, ["status", "token_hash"]) == ("Scheduled", None)
	assert queued_mails(failing.name) == []
	assert frappe.db.exists("Error Log", {"reference_doctype": SURVEY, "reference_name": failing.name})

	monkeypatch.setattr(frappe, "sendmail", real_sendmail)
	assert jobs.send_due_surveys() == 1
	assert frappe.db.get_value(SURVEY, failing.name, "status") == "Sent"
	assert len(queued_mails(failing.name)) == 1
	assert len(queued_mails(working.name)) == 1  # no duplicate for the one sent the first time
	assert tokens.find_open_survey(token_of(survey_links(failing.name)[0])) == failing.name


def test_a_resent_invitation_carries_the_same_working_link():
	from brm_app.api.survey import resend_invitation

	survey = sent_survey()
	resend_invitation(survey.name)

	first, second = survey_links(survey.name)
	assert first == second
	assert tokens.find_open_survey(token_of(second)) == survey.name
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Sent"


def test_a_reminder_goes_out_once_with_the_same_link():
	survey = sent_survey()
	frappe.db.set_value(SURVEY, survey.name, "sent_on", add_days(now_datetime(), -6))
	assert jobs.send_reminders() >= 1

	survey.reload()
	assert survey.status == "Reminded"
	assert survey.reminded_on
	invitation, reminder = queued_mails(survey.name)
	assert "Reminder" not in invitation.subject
	assert "Reminder" in reminder.subject
	first_link, second_link = survey_links(survey.name)
	assert first_link == second_link  # the invitation's link still works

	jobs.send_reminders()
	assert len(queued_mails(survey.name)) == 2  # max_reminders = 1


def test_reminders_are_not_sent_before_their_time():
	survey = sent_survey()
	frappe.db.set_value(SURVEY, survey.name, "sent_on", add_days(now_datetime(), -4))
	jobs.send_reminders()
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Sent"
	assert len(queued_mails(survey.name)) == 1


def test_a_second_reminder_follows_one_interval_later_when_allowed():
	set_brm_settings(max_reminders=2)
	survey = sent_survey()
	frappe.db.set_value(SURVEY, survey.name, "sent_on", add_days(now_datetime(), -6))
	jobs.send_reminders()
	assert len(queued_mails(survey.name)) == 2
	jobs.send_reminders()
	assert len(queued_mails(survey.name)) == 2

	# five days after the first reminder
	frappe.db.set_value(
		SURVEY,
		survey.name,
		{"sent_on": add_days(now_datetime(), -11), "reminded_on": add_days(now_datetime(), -5.5)},
	)
	jobs.send_reminders()
	assert len(queued_mails(survey.name)) == 3
	jobs.send_reminders()
	assert len(queued_mails(survey.name)) == 3


def test_expired_surveys_are_closed_and_their_link_stops_working():
	survey = sent_survey()
	(link,) = survey_links(survey.name)
	frappe.db.set_value(
		SURVEY,
		survey.name,
		{"sent_on": add_days(now_datetime(), -20), "expires_on": add_days(now_datetime(), -1)},
	)
	# already unusable before the job runs (the expiry time is checked on every use)
	assert tokens.find_open_survey(token_of(link)) is None

	jobs.expire_surveys()
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Expired"
	assert get_decrypted_password(SURVEY, survey.name, tokens.TOKEN_AUTH_FIELD, raise_exception=False) is None
	modified = frappe.db.get_value(SURVEY, survey.name, "modified")
	jobs.expire_surveys()
	assert frappe.db.get_value(SURVEY, survey.name, "modified") == modified  # nothing new the second time


def test_scheduled_surveys_too_old_to_send_expire_instead():
	survey = scheduled_survey()
	frappe.db.set_value(SURVEY, survey.name, "scheduled_for", add_days(now_datetime(), -15))
	jobs.send_due_surveys()
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Scheduled"
	assert queued_mails(survey.name) == []
	jobs.expire_surveys()
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Expired"


# --- responses -------------------------------------------------------------------------------------------


def answers_for(survey, values):
	return {row.name: value for row, value in zip(survey.answers, values, strict=True)}


def test_a_low_score_response_opens_a_follow_up_todo_for_the_relationship_manager():
	survey = sent_survey(rm=True)
	token = token_of(survey_links(survey.name)[0])
	# Ticket Closed template: rating, rating, NPS, yes/no, text
	submit_with_token(token, answers_for(survey, [1, 2, 3, "No", "Slow and unhelpful"]))

	survey.reload()
	assert survey.status == "Responded"
	assert survey.csat_percent == 0
	assert survey.nps_category == "Detractor"
	assert survey.needs_follow_up
	todo = frappe.get_doc("ToDo", survey.follow_up)
	assert todo.allocated_to == RM
	assert (todo.reference_type, todo.reference_name) == (SURVEY, survey.name)
	assert todo.status == "Open"
	# the response is final and the link is used up
	assert get_decrypted_password(SURVEY, survey.name, tokens.TOKEN_AUTH_FIELD, raise_exception=False) is None
	with pytest.raises(SurveyLinkError):
		submit_with_token(token, answers_for(survey, [5, 5, 10, "Yes", ""]))


def test_a_good_response_opens_no_follow_up():
	survey = sent_survey()
	submit_with_token(token_of(survey_links(survey.name)[0]), answers_for(survey, [5, 4, 10, "Yes", ""]))
	survey.reload()
	assert survey.status == "Responded"
	assert survey.csat_percent == 100
	assert not survey.needs_follow_up
	assert not survey.follow_up


@pytest.mark.parametrize("token", ["", "x" * 43, "not a token!", None, 12345, "a" * 500])
def test_unknown_or_malformed_tokens_are_refused(token):
	with pytest.raises(SurveyLinkError):
		submit_with_token(token, {})


def test_a_cancelled_survey_refuses_its_link():
	survey = sent_survey()
	token = token_of(survey_links(survey.name)[0])
	frappe.db.set_value(SURVEY, survey.name, "status", "Cancelled")
	with pytest.raises(SurveyLinkError):
		submit_with_token(token, answers_for(survey, [5, 5, 10, "Yes", ""]))


def test_submit_answers_outside_the_page_still_needs_the_survey_open():
	survey = sent_survey()
	submit_answers(survey.name, answers_for(survey, [4, 4, 9, "Yes", ""]), ignore_permissions=True)
	assert frappe.db.get_value(SURVEY, survey.name, "status") == "Responded"


# --- agreements ------------------------------------------------------------------------------------------


def submitted_agreement(days_to_end: int, notice: int, **kw):
	portfolio, _contact = world(rm=True)
	agreement = make_agreement(
		portfolio.customer,
		start_date=add_days(nowdate(), -300),
		end_date=add_days(nowdate(), days_to_end),
		notice_period_days=notice,
		signed_on=add_days(nowdate(), -300),
		**kw,
	)
	activate(agreement)
	return agreement


def activate(agreement):
	"""Make the agreement submitted and Active as its sign-off would (the approval workflow is another
	issue's; the reminder job only looks at docstatus, status and dates)."""
	agreement.db_set({"docstatus": 1, "status": "Active"})
	agreement.reload()


def test_renewal_reminder_goes_to_the_relationship_manager_once():
	# notice period 30 days + 30 days' lead: the reminder is due 60 days before the end
	agreement = submitted_agreement(days_to_end=55, notice=30)

	assert agreement_jobs.send_renewal_reminders() >= 1
	assert frappe.db.get_value("Customer Agreement", agreement.name, "renewal_reminder_sent_on")
	(mail,) = queued_mails(agreement.name, "Customer Agreement")
	assert mail.recipients == [RM]
	assert agreement.name in mail.subject
	assert any("Renewal reminder sent" in c for c in info_comments("Customer Agreement", agreement.name))

	agreement_jobs.send_renewal_reminders()
	assert len(queued_mails(agreement.name, "Customer Agreement")) == 1


def test_no_renewal_reminder_before_it_is_due():
	agreement = submitted_agreement(days_to_end=90, notice=30)
	agreement_jobs.send_renewal_reminders()
	assert not frappe.db.get_value("Customer Agreement", agreement.name, "renewal_reminder_sent_on")
	assert queued_mails(agreement.name, "Customer Agreement") == []


def test_a_failed_renewal_reminder_is_logged_and_retried(monkeypatch):
	agreement = submitted_agreement(days_to_end=40, notice=30)
	real_sendmail = frappe.sendmail

	def sendmail(*args, **kwargs):
		if kwargs.get("reference_name") == agreement.name:
			raise frappe.OutgoingEmailError("SMTP relay refused the message")
		return real_sendmail(*args, **kwargs)

	monkeypatch.setattr(frappe, "sendmail", sendmail)
	agreement_jobs.send_renewal_reminders()
	assert not frappe.db.get_value("Customer Agreement", agreement.name, "renewal_reminder_sent_on")
	assert frappe.db.exists(
		"Error Log", {"reference_doctype": "Customer Agreement", "reference_name": agreement.name}
	)

	monkeypatch.setattr(frappe, "sendmail", real_sendmail)
	agreement_jobs.send_renewal_reminders()
	assert len(queued_mails(agreement.name, "Customer Agreement")) == 1


def test_the_daily_jobs_are_scheduled():
	events = frappe.get_hooks("scheduler_events")
	daily = events.get("daily", [])
	hourly = events.get("hourly", [])
	assert "brm_app.jobs.agreements.update_agreement_statuses" in daily
	assert "brm_app.jobs.agreements.send_renewal_reminders" in daily
	for job in ("send_reminders", "expire_surveys", "schedule_delivered_projects"):
		assert f"brm_app.jobs.surveys.{job}" in hourly
	assert "brm_app.jobs.health.recompute_health_scores" in hourly
	assert any("brm_app.jobs.surveys.send_due_surveys" in jobs_ for jobs_ in events.get("cron", {}).values())
