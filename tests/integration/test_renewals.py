"""Renewal types honoured (docs/renewals-and-change-impact.md): a tacit agreement extends itself at its end
unless terminated, its manager is reminded once before the notice deadline; Never gets no reminder and
expires; Express is as before."""

import frappe
import pytest
from frappe.utils import add_days, getdate, nowdate

from brm_app.brm_app.doctype.customer_agreement.customer_agreement import check_can_terminate
from brm_app.brm_app.report.agreement_renewals import agreement_renewals
from brm_app.exceptions import AgreementRenewalError, AgreementTerminationError
from brm_app.jobs import agreements as jobs
from brm_app.services import renewal
from tests.support.factories import make_agreement, make_portfolio, mute_mail
from tests.support.survey_mail import queued_mails
from tests.support.users import make_user

AGREEMENT = "Customer Agreement"
RM = "brm-renewal-rm@example.com"


@pytest.fixture(autouse=True)
def _mail():
	mute_mail()


def agreement(renewal_type: str, days_to_end: int, notice: int = 30, **kw):
	"""A submitted, running agreement of RM's customer, ending in `days_to_end` days (negative: ended)."""
	make_user(RM, ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=RM)
	doc = make_agreement(
		portfolio.customer,
		renewal=renewal_type,
		start_date=add_days(nowdate(), -400),
		end_date=add_days(nowdate(), days_to_end),
		notice_period_days=notice,
		signed_on=add_days(nowdate(), -400),
		**kw,
	)
	# submitted as its sign-off would leave it (the approval workflow has its own tests)
	status = "Active" if days_to_end > notice else "Expiring"
	doc.db_set({"docstatus": 1, "status": status})
	doc.reload()
	return doc


def stored(name):
	return frappe.db.get_value(
		AGREEMENT,
		name,
		["end_date", "status", "tacit_extensions", "last_extended_on", "renewal_reminder_sent_on"],
		as_dict=True,
	)


def comments(name):
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": AGREEMENT, "reference_name": name, "comment_type": "Info"},
		pluck="content",
	)


def test_a_tacit_agreement_extends_once_at_its_end():
	doc = agreement("Tacit", -1, renewal_term_months=24)
	doc.db_set("renewal_reminder_sent_on", frappe.utils.now_datetime())
	old_end = getdate(doc.end_date)

	jobs.update_agreement_statuses()
	jobs.update_agreement_statuses()  # twice: extended once
	jobs.extend_tacit_agreements()

	row = stored(doc.name)
	assert getdate(row.end_date) == renewal.extended_end(old_end, 24)
	assert row.tacit_extensions == 1
	assert getdate(row.last_extended_on) == getdate(nowdate())
	assert row.status == "Active"
	assert row.renewal_reminder_sent_on is None  # the new term is reminded again
	assert len([c for c in comments(doc.name) if "Renewed tacitly" in c]) == 1


def test_a_tacit_agreement_terminated_before_the_deadline_is_not_extended():
	doc = agreement("Tacit", -1)
	# notice given in time: terminated on its last day; the status job has not run yet
	doc.db_set({"terminated_on": doc.end_date, "termination_reason": "Customer gave notice"})

	jobs.extend_tacit_agreements()
	jobs.update_agreement_statuses()

	row = stored(doc.name)
	assert getdate(row.end_date) == getdate(doc.end_date)
	assert not row.tacit_extensions
	assert row.status == "Terminated"


def test_a_tacit_agreement_is_reminded_once_before_its_deadline():
	doc = agreement("Tacit", 55)  # notice 30 + 30 days' lead: due 60 days before the end

	jobs.send_renewal_reminders()
	jobs.send_renewal_reminders()

	(mail,) = queued_mails(doc.name, AGREEMENT)
	assert mail.recipients == [RM]
	assert "renews itself" in mail.subject
	assert stored(doc.name).renewal_reminder_sent_on


def test_never_gets_no_reminder_and_expires():
	reminded = agreement("Never", 55)
	ended = agreement("Never", -1)

	jobs.send_renewal_reminders()
	jobs.update_agreement_statuses()

	assert queued_mails(reminded.name, AGREEMENT) == []
	assert stored(reminded.name).renewal_reminder_sent_on is None
	row = stored(ended.name)
	assert row.status == "Expired"
	assert getdate(row.end_date) == getdate(ended.end_date)


def test_express_is_reminded_as_before_and_expires():
	reminded = agreement("Express", 55)
	ended = agreement("Express", -1)

	jobs.send_renewal_reminders()
	jobs.update_agreement_statuses()

	(mail,) = queued_mails(reminded.name, AGREEMENT)
	assert "ends on" in mail.subject
	row = stored(ended.name)
	assert row.status == "Expired"
	assert not row.tacit_extensions


def test_a_tacit_agreement_cannot_be_terminated_after_its_notice_deadline():
	late = agreement("Tacit", 10)  # deadline 20 days ago
	with pytest.raises(AgreementTerminationError, match="next term"):
		check_can_terminate(frappe.get_doc(AGREEMENT, late.name))
	# up to the deadline, and for the other types, as before
	check_can_terminate(frappe.get_doc(AGREEMENT, agreement("Tacit", 30).name))
	check_can_terminate(frappe.get_doc(AGREEMENT, agreement("Express", 10).name))


def test_a_tacit_agreement_needs_a_renewal_term():
	make_user(RM, ("Business Relationship Manager",))
	customer = make_portfolio(relationship_manager=RM).customer
	doc = make_agreement(customer, renewal="Tacit", renewal_term_months=None)
	assert doc.renewal_term_months == 12
	with pytest.raises(AgreementRenewalError):
		make_agreement(customer, renewal="Tacit", renewal_term_months=-3)


def test_the_extension_fields_are_server_owned():
	doc = agreement("Tacit", 100)
	doc.db_set({"tacit_extensions": 2, "last_extended_on": nowdate()})
	doc.reload()
	doc.tacit_extensions = 9
	doc.last_extended_on = add_days(nowdate(), -500)
	doc.save(ignore_permissions=True)
	row = stored(doc.name)
	assert row.tacit_extensions == 2
	assert getdate(row.last_extended_on) == getdate(nowdate())


def test_the_renewals_report_says_what_happens():
	tacit = agreement("Tacit", 20, renewal_term_months=12)
	never = agreement("Never", 21)
	express = agreement("Express", 22)

	_columns, data, *_rest = agreement_renewals.execute({"days_ahead": 30, "limit": 10000})
	rows = {row["agreement"]: row for row in data}

	assert rows[tacit.name]["outcome_key"] == renewal.EXTENDS
	assert getdate(rows[tacit.name]["outcome_on"]) == getdate(add_days(tacit.end_date, 1))
	assert rows[tacit.name]["extended_end_date"] == renewal.extended_end(getdate(tacit.end_date), 12)
	assert rows[never.name]["outcome_key"] == renewal.EXPIRES
	assert getdate(rows[never.name]["outcome_on"]) == getdate(never.end_date)
	assert rows[express.name]["outcome_key"] == renewal.NEEDS_DECISION
	assert rows[tacit.name]["renewal_key"] == "Tacit"


def test_more_due_tacit_agreements_than_a_batch_are_all_extended_none_expired(monkeypatch):
	batch = jobs.extend_tacit_agreements
	monkeypatch.setattr(jobs, "extend_tacit_agreements", lambda limit=None: batch(2))  # batches of 2
	docs = [agreement("Tacit", -3 - i) for i in range(5)]

	jobs.update_agreement_statuses()

	for doc in docs:
		row = stored(doc.name)
		assert row.tacit_extensions == 1
		assert row.status != "Expired"
		assert getdate(row.end_date) >= getdate(nowdate())


def test_a_tacit_agreement_not_extended_yet_does_not_expire(monkeypatch):
	doc = agreement("Tacit", -1)
	monkeypatch.setattr(jobs, "extend_tacit_agreements", lambda limit=None: 0)  # e.g. its extension failed

	jobs.update_agreement_statuses()

	assert stored(doc.name).status == "Expiring"
	monkeypatch.undo()
	jobs.update_agreement_statuses()
	assert stored(doc.name).tacit_extensions == 1
