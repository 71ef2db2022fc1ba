"""Service reviews (docs/service-reviews.md): the agenda of a known period (counts right, other customers'
data left out), action items as ToDos both ways, the portfolio's Last Reviewed On / Next Review Due, the
Service Review Pack as PDF (customer's name, SVG chart, Indonesian) and "E-mail Pack" to the attendees only."""

import email

import frappe
import pytest
from frappe.utils import add_days, add_months, getdate, today

from brm_app.api.service_review import email_pack, get_agenda
from brm_app.exceptions import InvalidSettingsError, ServiceReviewError, ServiceReviewMailError
from brm_app.reviews.agenda import build_agenda
from brm_app.reviews.pack import pack_pdf
from tests.support.factories import (
	forget_email_accounts,
	make_agreement,
	make_contact,
	make_issue,
	make_issue_type,
	make_opportunity,
	make_portfolio,
	make_survey,
	mute_mail,
	set_brm_settings,
	uid,
)
from tests.support.pdf import pdf_text
from tests.support.users import as_user, make_user

REVIEW = "Service Review"
PERIOD = (getdate("2026-07-01"), getdate("2026-09-30"))
COMPLAINT = "BRM Review Complaint"


def ticket(customer, opened, agreement_status=None, issue_type=None):
	issue = make_issue(customer, opening_date=opened, issue_type=issue_type)
	frappe.db.set_value("Issue", issue.name, {"opening_date": opened, "agreement_status": agreement_status})
	return issue.name


def response(customer, responded_on, satisfied, ratings, nps_category):
	survey = make_survey(customer)
	frappe.db.set_value(
		"Satisfaction Survey",
		survey.name,
		{
			"status": "Responded",
			"sent_on": responded_on,
			"responded_on": responded_on,
			"satisfied_count": satisfied,
			"rating_count": ratings,
			"nps_category": nps_category,
		},
	)


def make_review(customer, **kw):
	return frappe.get_doc(
		{"doctype": REVIEW, "customer": customer, "review_date": kw.pop("review_date", today()), **kw}
	).insert(ignore_permissions=True)


@pytest.fixture
def two_customers():
	mute_mail()
	make_issue_type(COMPLAINT)
	settings = frappe.get_single("BRM Settings")
	settings.set("complaint_issue_types", [{"issue_type": COMPLAINT}])
	settings.target_k5_sla_compliance = 90
	settings.save(ignore_permissions=True)
	set_brm_settings()
	return make_portfolio(), make_portfolio()


def test_the_agenda_counts_the_period_of_its_customer_only(two_customers):
	mine, other = two_customers
	customer = mine.customer
	# this period: 3 tickets (2 fulfilled, 1 failed, 1 of them a complaint); previous period: 1 fulfilled
	ticket(customer, "2026-07-10", "Fulfilled")
	ticket(customer, "2026-08-10", "Fulfilled", COMPLAINT)
	ticket(customer, "2026-09-10", "Failed")
	ticket(customer, "2026-05-10", "Fulfilled")
	response(customer, "2026-08-15", 3, 4, "Promoter")
	response(customer, "2026-08-16", 1, 2, "Detractor")
	response(customer, "2026-05-16", 1, 1, "Passive")
	# the other customer's data in the same period must not count
	for day in ("2026-07-11", "2026-07-12"):
		ticket(other.customer, day, "Failed", COMPLAINT)
	response(other.customer, "2026-08-15", 0, 3, "Detractor")
	open_opportunity = make_opportunity(customer, opportunity_title="Move mail to the cloud").name
	make_opportunity(other.customer, opportunity_title="Other customer's idea")
	ending = make_agreement(customer, start_date="2026-01-01", end_date=add_days(PERIOD[1], 20))
	later = make_agreement(customer, start_date="2026-01-01", end_date=add_days(PERIOD[1], 400))
	for name in (ending.name, later.name):
		frappe.db.set_value("Customer Agreement", name, {"docstatus": 1, "status": "Active"})
	mine.append("business_outcomes", {"objective": "Faster onboarding", "target_date": "2026-10-15"})
	mine.append("business_outcomes", {"objective": "Far away", "target_date": "2028-01-01"})
	mine.save(ignore_permissions=True)

	agenda = build_agenda(customer, *PERIOD, review_date=PERIOD[1])
	figures = {figure["key"]: figure for figure in agenda["figures"]}
	assert figures["tickets"]["current"] == 3 and figures["tickets"]["previous"] == 1
	assert figures["sla_failed"]["current"] == 1
	assert figures["sla_compliance"]["current"] == pytest.approx(66.7)
	assert figures["sla_compliance"]["previous"] == 100.0
	assert figures["sla_compliance"]["trend"] == "Down"
	assert figures["sla_compliance"]["target"] == 90 and figures["sla_compliance"]["rag"] == "Red"
	assert figures["complaints"]["current"] == 1 and figures["complaints"]["previous"] == 0
	assert figures["csat"]["current"] == pytest.approx(66.7)  # 4 satisfied of 6 ratings
	assert figures["csat"]["previous"] == 100.0
	assert figures["nps"]["current"] == 0.0  # one promoter, one detractor
	assert [m["month"] for m in agenda["monthly"]] == ["2026-07", "2026-08", "2026-09"]
	assert [m["tickets"] for m in agenda["monthly"]] == [1, 1, 1]
	assert [row["name"] for row in agenda["opportunities"]] == [open_opportunity]
	assert [row["name"] for row in agenda["agreements"]] == [ending.name]
	assert [row["objective"] for row in agenda["outcomes"]] == ["Faster onboarding"]


def test_held_review_keeps_a_snapshot_and_a_default_period(two_customers):
	mine, _other = two_customers
	review = make_review(mine.customer, review_date="2026-10-01", status="Held")
	# no review before: the cadence (Important: from BRM Settings) before the review date
	months = frappe.db.get_single_value("BRM Settings", "review_cadence_important") or 3
	assert getdate(review.period_from) == add_days(add_months(getdate("2026-10-01"), -months), 1)
	assert getdate(review.period_to) == getdate("2026-10-01")
	snapshot = frappe.parse_json(review.agenda_snapshot)
	assert snapshot["customer"] == mine.customer and snapshot["figures"]
	# the next review's period starts the day after this one
	second = make_review(mine.customer, review_date="2026-12-01")
	assert getdate(second.period_from) == getdate("2026-10-02")
	assert second.agenda_snapshot is None
	# a client cannot write the snapshot (nor Held On)
	second.agenda_snapshot = '{"figures": []}'
	second.save(ignore_permissions=True)
	assert frappe.db.get_value(REVIEW, second.name, "agenda_snapshot") is None
	review.reload()
	review.agenda_snapshot = '{"figures": []}'
	review.held_on = "2020-01-01 00:00:00"
	review.save(ignore_permissions=True)
	stored = frappe.db.get_value(REVIEW, review.name, ["agenda_snapshot", "held_on"], as_dict=True)
	assert frappe.parse_json(stored.agenda_snapshot) == snapshot and stored.held_on.year != 2020
	assert "brm-review-agenda" in get_agenda(review.name)["html"]


def test_action_items_become_todos_and_follow_them_both_ways(two_customers):
	mine, _other = two_customers
	owner = make_user(f"{uid('sr-owner-')}@example.com", ("BRM Process Manager",))
	review = make_review(
		mine.customer,
		status="Held",
		actions=[{"description": "Send the capacity plan", "assigned_to": owner, "due_date": "2026-12-20"}],
	)
	todo_name = review.actions[0].todo
	todo = frappe.get_doc("ToDo", todo_name)
	assert (todo.allocated_to, str(todo.date), todo.status) == (owner, "2026-12-20", "Open")
	assert (todo.reference_type, todo.reference_name) == (REVIEW, review.name)
	# action Done on the review closes the ToDo
	review.reload()
	review.actions[0].status = "Done"
	review.save(ignore_permissions=True)
	assert frappe.db.get_value("ToDo", todo_name, "status") == "Closed"
	# the ToDo reopened -> the action is Open again; closed -> Done
	todo = frappe.get_doc("ToDo", todo_name)
	todo.status = "Open"
	todo.save(ignore_permissions=True)
	assert frappe.db.get_value("Service Review Action", review.actions[0].name, "status") == "Open"
	todo.reload()
	todo.status = "Closed"
	todo.save(ignore_permissions=True)
	assert frappe.db.get_value("Service Review Action", review.actions[0].name, "status") == "Done"
	# a removed action cancels its open ToDo
	review.reload()
	review.actions[0].status = "Open"
	review.save(ignore_permissions=True)
	assert frappe.db.get_value("ToDo", todo_name, "status") == "Open"
	review.reload()
	review.set("actions", [])
	review.save(ignore_permissions=True)
	assert frappe.db.get_value("ToDo", todo_name, "status") == "Cancelled"


def test_a_todo_holder_who_lost_the_review_does_not_move_its_action(two_customers):
	mine, _other = two_customers
	holder = make_user(f"{uid('sr-rm-')}@example.com", ("Business Relationship Manager",))
	successor = make_user(f"{uid('sr-rm-')}@example.com", ("Business Relationship Manager",))
	frappe.db.set_value(PORTFOLIO, mine.name, "relationship_manager", holder)
	review = make_review(mine.customer, actions=[{"description": "Renew the SLA", "assigned_to": holder}])
	todo_name = review.actions[0].todo
	# handed over: the holder keeps the ToDo, and a manager leaves them the review to read (a read-only share),
	# but they may no longer write it
	frappe.db.set_value(PORTFOLIO, mine.name, "relationship_manager", successor)
	frappe.share.add_docshare(
		REVIEW, review.name, holder, read=1, write=0, flags={"ignore_share_permission": True}
	)
	assert frappe.has_permission(REVIEW, "read", doc=review.name, user=holder)
	assert not frappe.has_permission(REVIEW, "write", doc=review.name, user=holder)
	with as_user(holder):
		frappe.client.set_value("ToDo", todo_name, "status", "Closed")
	assert frappe.db.get_value("ToDo", todo_name, "status") == "Closed"
	assert frappe.db.get_value("Service Review Action", review.actions[0].name, "status") == "Open"


def test_an_action_owner_must_be_able_to_read_the_review(two_customers):
	mine, _other = two_customers
	stranger = make_user(f"{uid('sr-rm-')}@example.com", ("Business Relationship Manager",))
	with pytest.raises(ServiceReviewError):
		make_review(mine.customer, actions=[{"description": "Secret plan", "assigned_to": stranger}])


def test_a_held_review_sets_the_portfolio_rhythm(two_customers):
	mine, _other = two_customers
	set_brm_settings(review_cadence_strategic=3)
	mine.strategic_importance = "Strategic"
	mine.save(ignore_permissions=True)
	held_on = getdate("2026-11-10")
	review = make_review(mine.customer, review_date=held_on, status="Held")
	stored = frappe.db.get_value(PORTFOLIO, mine.name, ["last_reviewed_on", "next_review_due"], as_dict=True)
	assert (stored.last_reviewed_on, stored.next_review_due) == (held_on, add_months(held_on, 3))
	# the portfolio's override changes the next due date; a client's last_reviewed_on is ignored
	mine.reload()
	mine.review_cadence_months = 2
	mine.last_reviewed_on = "2020-01-01"
	mine.save(ignore_permissions=True)
	stored = frappe.db.get_value(PORTFOLIO, mine.name, ["last_reviewed_on", "next_review_due"], as_dict=True)
	assert (stored.last_reviewed_on, stored.next_review_due) == (held_on, add_months(held_on, 2))
	# cancelled: no review held any more, due now
	review.reload()
	review.status = "Cancelled"
	review.save(ignore_permissions=True)
	stored = frappe.db.get_value(PORTFOLIO, mine.name, ["last_reviewed_on", "next_review_due"], as_dict=True)
	assert (stored.last_reviewed_on, stored.next_review_due) == (None, getdate(today()))
	# held again, then deleted
	review.reload()
	review.status = "Held"
	review.save(ignore_permissions=True)
	assert frappe.db.get_value(PORTFOLIO, mine.name, "last_reviewed_on") == held_on
	frappe.delete_doc(REVIEW, review.name, ignore_permissions=True)
	assert frappe.db.get_value(PORTFOLIO, mine.name, "last_reviewed_on") is None


def test_a_review_is_not_held_in_the_future_nor_a_cadence_longer_than_three_years(two_customers):
	# either would push the portfolio's next review (or survey) far off and silence its alerts
	mine, _other = two_customers
	with pytest.raises(ServiceReviewError, match="future date"):
		make_review(mine.customer, review_date=add_days(today(), 1), status="Held")
	review = make_review(mine.customer, review_date=add_days(today(), 1))
	review.status = "Held"
	with pytest.raises(ServiceReviewError, match="future date"):
		review.save(ignore_permissions=True)
	assert frappe.db.get_value(PORTFOLIO, mine.name, "last_reviewed_on") is None
	make_review(mine.customer, review_date=today(), status="Held")
	assert frappe.db.get_value(PORTFOLIO, mine.name, "last_reviewed_on") == getdate(today())
	for fieldname in ("review_cadence_months", "survey_cadence_months"):
		mine.reload()
		mine.set(fieldname, 37)
		with pytest.raises(frappe.ValidationError, match="36 months"):
			mine.save(ignore_permissions=True)
		mine.reload()
		mine.set(fieldname, 36)
		mine.save(ignore_permissions=True)
		assert frappe.db.get_value(PORTFOLIO, mine.name, fieldname) == 36
	for value in (37, -1):
		settings = frappe.get_single("BRM Settings")
		settings.review_cadence_important = value
		with pytest.raises(InvalidSettingsError, match="between 0 and 36 months"):
			settings.save(ignore_permissions=True)
		settings = frappe.get_single("BRM Settings")
		settings.survey_cadence_strategic = value
		with pytest.raises(InvalidSettingsError, match="between 0 and 36 months"):
			settings.save(ignore_permissions=True)


def test_a_new_cadence_in_the_settings_moves_next_review_due(two_customers):
	mine, other = two_customers
	held_on = getdate("2026-11-10")
	make_review(mine.customer, review_date=held_on, status="Held")
	make_review(other.customer, review_date=held_on, status="Held")
	other.reload()
	other.review_cadence_months = 1  # its own cadence: the settings do not apply
	other.save(ignore_permissions=True)
	importance = frappe.db.get_value(PORTFOLIO, mine.name, "strategic_importance")
	settings = frappe.get_single("BRM Settings")
	settings.set(f"review_cadence_{importance.lower()}", 5)
	settings.save(ignore_permissions=True)
	set_brm_settings()
	assert frappe.db.get_value(PORTFOLIO, mine.name, "next_review_due") == add_months(held_on, 5)
	assert frappe.db.get_value(PORTFOLIO, other.name, "next_review_due") == add_months(held_on, 1)


PORTFOLIO = "Customer Portfolio"


def _pack_review(two_customers, language=None):
	mine, _other = two_customers
	ticket(mine.customer, "2026-10-05", "Fulfilled")
	ticket(mine.customer, "2026-11-05", "Failed")
	customer_contact = make_contact(mine.customer)
	bystander = make_contact(mine.customer)  # a contact of the customer who did not attend
	mine.append("stakeholders", {"contact": bystander.name})
	mine.save(ignore_permissions=True)
	team = make_user(f"{uid('sr-team-')}@example.com", ("BRM Process Manager",))
	if language:
		frappe.db.set_value("Customer", mine.customer, "language", language)
	review = make_review(
		mine.customer,
		review_date="2026-12-01",
		period_from="2026-10-01",
		period_to="2026-11-30",
		status="Held",
		attendees=[{"contact": customer_contact.name}, {"user": team}],
	)
	return review, customer_contact, team


def test_the_pack_prints_in_the_customers_language_with_an_svg_chart(two_customers):
	review, _contact, _team = _pack_review(two_customers, language="id")
	assert review.language == "id"
	html = frappe.get_print(REVIEW, review.name, print_format="Service Review Pack", doc=review)
	assert "<svg" in html
	text = pdf_text(pack_pdf(review.name))
	assert review.customer_name in text
	assert "Paket Tinjauan Layanan" in text  # "Service Review Pack"
	# the monthly chart's axis (drawn only in the SVG), with Indonesian month names
	assert "Okt 26" in text and "Nov 26" in text


def test_email_pack_goes_to_the_attendees_only(two_customers):
	review, contact, team = _pack_review(two_customers)
	recipients = email_pack(review.name)
	assert sorted(recipients) == sorted([contact.email_id, frappe.db.get_value("User", team, "email")])
	queued = frappe.get_all(
		"Email Queue", filters={"reference_doctype": REVIEW, "reference_name": review.name}, pluck="name"
	)
	assert len(queued) == 1
	sent_to = frappe.get_all("Email Queue Recipient", filters={"parent": queued[0]}, pluck="recipient")
	assert sorted(sent_to) == sorted(recipients)
	message = email.message_from_string(frappe.db.get_value("Email Queue", queued[0], "message"))
	pdfs = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
	assert [part.get_filename() for part in pdfs] == [f"{review.name}.pdf"]
	assert review.customer_name in pdf_text(pdfs[0].get_payload(decode=True))
	comments = frappe.get_all(
		"Comment", filters={"reference_doctype": REVIEW, "reference_name": review.name}, pluck="content"
	)
	assert any(contact.email_id in comment for comment in comments)


def test_email_pack_without_an_outgoing_account_says_so(two_customers):
	review, _contact, _team = _pack_review(two_customers)
	frappe.db.set_value("Email Account", {"default_outgoing": 1}, "default_outgoing", 0)
	forget_email_accounts()
	frappe.flags.mute_emails = False
	frappe.local.conf.pop("mail_server", None)
	with pytest.raises(ServiceReviewMailError):
		email_pack(review.name)
	assert not frappe.get_all(
		"Email Queue", filters={"reference_doctype": REVIEW, "reference_name": review.name}
	)


def test_attendees_are_the_customers_contacts_with_their_own_addresses(two_customers):
	mine, other = two_customers
	outsider = make_contact(other.customer)
	with pytest.raises(ServiceReviewError):
		make_review(mine.customer, attendees=[{"contact": outsider.name}])
	contact = make_contact(mine.customer)
	review = make_review(
		mine.customer,
		attendees=[{"contact": contact.name, "email": "someone@elsewhere.example", "side": "Provider"}],
	)
	assert (review.attendees[0].email, review.attendees[0].side) == (contact.email_id, "Customer")
