"""docs/security.md case 20: a scheduled job fails half-way or runs twice → no duplicate survey, reminder or
renewal notice; the failure is in the Error Log; the next run finishes the work.

The jobs run as the scheduler runs them: each in its own thread with its own database connection, as
Administrator, committing record by record (brm_app.jobs.surveys.for_each), on committed records. "Twice"
means two runs released at the same moment; "half-way" means a run whose mail fails for one record, and a
run that dies (the worker killed) in the middle of its batch.
"""

import frappe
import pytest
from frappe.utils import add_days, now_datetime, nowdate

from brm_app.integrations.tickets import schedule_survey_for_ticket
from brm_app.jobs import agreements as agreement_jobs
from brm_app.jobs import surveys as jobs
from brm_app.surveys import tokens
from tests.support.factories import make_agreement, set_brm_settings
from tests.support.security import refresh, run_in_threads, scheduled_survey, survey_customer
from tests.support.survey_mail import queued_mails, survey_links, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

SURVEY = "Satisfaction Survey"
RM = "brm-sec-c20-rm@example.com"
JOB_SETTINGS = {"reminder_after_days": 5, "max_reminders": 1, "survey_expiry_days": 14}


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	customer = survey_customer(committed, RM)
	old = {field: frappe.db.get_single_value("BRM Settings", field) for field in JOB_SETTINGS}
	set_brm_settings(**JOB_SETTINGS)
	committed.commit()
	yield customer
	frappe.db.rollback()
	set_brm_settings(**old)
	committed.commit()


def due_surveys(committed, customer, count: int) -> list[str]:
	names = [scheduled_survey(committed, customer) for _ in range(count)]
	committed.commit()
	return names


def invitations(names) -> dict[str, int]:
	refresh()
	return {name: len(queued_mails(name)) for name in names}


def logged_failures(name) -> int:
	return frappe.db.count("Error Log", {"reference_doctype": SURVEY, "reference_name": name})


def test_two_send_runs_at_the_same_time_send_each_invitation_once(committed, customer):
	names = due_surveys(committed, customer, 6)
	results = run_in_threads([("Administrator", jobs.send_due_surveys)] * 2)
	assert all(r.ok for r in results), [r.error for r in results]
	assert invitations(names) == dict.fromkeys(names, 1)
	for name in names:
		committed.add_related(SURVEY, name)
		assert frappe.db.get_value(SURVEY, name, "status") == "Sent"
		(link,) = survey_links(name)
		assert tokens.find_open_survey(token_of(link)) == name  # the one link sent works


def test_two_reminder_runs_at_the_same_time_remind_once(committed, customer):
	names = due_surveys(committed, customer, 4)
	jobs.send_due_surveys()
	for name in names:
		frappe.db.set_value(SURVEY, name, "sent_on", add_days(now_datetime(), -6))
		committed.add_related(SURVEY, name)
	committed.commit()
	results = run_in_threads([("Administrator", jobs.send_reminders)] * 2)
	assert all(r.ok for r in results), [r.error for r in results]
	assert invitations(names) == dict.fromkeys(names, 2)  # the invitation and one reminder
	for name in names:
		committed.add_related(SURVEY, name)
		assert frappe.db.get_value(SURVEY, name, "status") == "Reminded"
		first, second = survey_links(name)
		assert first == second


def test_two_renewal_runs_at_the_same_time_send_one_notice(committed, customer):
	agreement = make_agreement(
		customer=customer,
		start_date=add_days(nowdate(), -300),
		end_date=add_days(nowdate(), 40),
		signed_on=add_days(nowdate(), -300),
		notice_period_days=30,
	)
	committed.add("Customer Agreement", agreement.name)
	agreement.db_set({"docstatus": 1, "status": "Active", "workflow_state": "Active"})
	committed.commit()
	results = run_in_threads([("Administrator", agreement_jobs.send_renewal_reminders)] * 2)
	assert all(r.ok for r in results), [r.error for r in results]
	refresh()
	committed.add_related("Customer Agreement", agreement.name)
	(mail,) = queued_mails(agreement.name, "Customer Agreement")
	assert mail.recipients == [RM]
	assert frappe.db.get_value("Customer Agreement", agreement.name, "renewal_reminder_sent_on")


def test_the_ticket_job_twice_at_the_same_time_schedules_one_survey(committed, customer):
	(survey,) = due_surveys(committed, customer, 1)
	issue = frappe.db.get_value(SURVEY, survey, "reference_name")
	frappe.db.delete(SURVEY, survey)  # as if the job had not run yet for the closed ticket
	frappe.db.delete("Satisfaction Survey Answer", {"parent": survey})
	committed.commit()
	results = run_in_threads([("Administrator", lambda: schedule_survey_for_ticket("Issue", issue))] * 2)
	assert all(r.ok for r in results), [r.error for r in results]
	refresh()
	made = frappe.get_all(
		SURVEY, filters={"reference_doctype": "Issue", "reference_name": issue}, pluck="name"
	)
	for name in made:
		committed.add(SURVEY, name)
	assert len(made) == 1
	assert sorted(r.value is None for r in results) == [False, True]


def test_a_failed_invitation_is_logged_and_the_next_run_sends_it_once(committed, customer, monkeypatch):
	names = due_surveys(committed, customer, 3)
	failing = frappe.db.get_value(SURVEY, names[1], "email")
	real_sendmail = frappe.sendmail

	def sendmail(*args, **kwargs):
		if failing in (kwargs.get("recipients") or []):
			raise frappe.OutgoingEmailError("SMTP relay refused the message")
		return real_sendmail(*args, **kwargs)

	monkeypatch.setattr(frappe, "sendmail", sendmail)
	(first,) = run_in_threads([("Administrator", jobs.send_due_surveys)])
	assert first.ok, first.error
	assert invitations(names) == {names[0]: 1, names[1]: 0, names[2]: 1}
	assert frappe.db.get_value(SURVEY, names[1], ["status", "token_hash"]) == ("Scheduled", None)
	assert logged_failures(names[1]) == 1
	assert (
		"SMTP relay refused"
		in frappe.get_all("Error Log", filters={"reference_name": names[1]}, pluck="error")[0]
	)

	monkeypatch.setattr(frappe, "sendmail", real_sendmail)
	(second,) = run_in_threads([("Administrator", jobs.send_due_surveys)])
	assert second.ok, second.error
	assert invitations(names) == dict.fromkeys(names, 1)
	for name in names:
		committed.add_related(SURVEY, name)


def test_a_run_killed_half_way_keeps_what_it_did_and_the_next_run_finishes(committed, customer, monkeypatch):
	names = due_surveys(committed, customer, 4)
	real_send = jobs.send_survey_mail
	sent = []

	def send_survey_mail(survey, template, token):
		if survey.name in names and len(sent) == 2:
			raise SystemExit("worker killed")  # not an Exception: nothing in the job catches it
		sent.append(survey.name)
		return real_send(survey, template, token)

	monkeypatch.setattr(jobs, "send_survey_mail", send_survey_mail)
	(killed,) = run_in_threads([("Administrator", jobs.send_due_surveys)])
	assert not killed.ok and isinstance(killed.error, SystemExit)
	done = invitations(names)
	assert sum(done.values()) == 2  # the two finished before the crash were committed
	assert all(
		frappe.db.get_value(SURVEY, n, "status") == ("Sent" if done[n] else "Scheduled") for n in names
	)

	monkeypatch.setattr(jobs, "send_survey_mail", real_send)
	(rerun,) = run_in_threads([("Administrator", jobs.send_due_surveys)])
	assert rerun.ok, rerun.error
	assert invitations(names) == dict.fromkeys(names, 1)
	for name in names:
		committed.add_related(SURVEY, name)
		assert frappe.db.get_value(SURVEY, name, "status") == "Sent"
