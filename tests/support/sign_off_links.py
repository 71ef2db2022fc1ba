"""The customer's sign-off by e-mailed link, over HTTP against a live server (tests/integration/
test_sign_off_link.py, tests/security/test_case_33_sign_off_links.py).

`link_case` walks a committed business case to Customer Sign-off with signatories who get a link (contacts
without a desk user); `link_of` reads the link back out of the queued e-mail, as the signatory would click
it; `post_decision` is the page's POST. The module's `sign_off_cleanup` fixture removes the sign-off
records (their controller refuses every delete but the service's) and their e-mails before the committed
cases go.
"""

import html
import re

import frappe
import pytest
import requests

from brm_app.signoff import records as rec
from tests.support.security import JSON_HEADERS, committed_case, muted_mail, random_address, refresh
from tests.support.survey_mail import queued_mails
from tests.support.users import as_user
from tests.support.workflow import add_signatory, open_sign_offs, to_customer_sign_off

SUBMIT = "/api/method/brm_app.api.sign_off.submit_by_link"
PAGE = "/sign-off"
CASE = "Business Case"
_LINK = re.compile(r'href="([^"]*/sign-off\?token=[^"]+)"')


def link_case(committed, people, signatories: int = 1, **case_fields):
	"""A committed case of people.customer, prepared by people.rm, in Customer Sign-off with
	`signatories` e-mail-link signatories. Returns (case, [open sign-off names in signatory order])."""
	case = committed_case(committed, people, state="Draft", **case_fields)
	frappe.set_user("Administrator")
	for _i in range(signatories):
		committed.add("Contact", add_signatory(case))
	case = to_customer_sign_off(case, people.rm)
	names = open_sign_offs(case)
	assert len(names) == signatories
	assert {frappe.db.get_value(rec.SIGN_OFF, name, "channel") for name in names} == {rec.LINK}
	committed.commit()
	return frappe.get_doc(CASE, case.name), names


def link_of(sign_off: str) -> str:
	"""The link in the last e-mail queued for the sign-off."""
	links = []
	for row in queued_mails(sign_off, reference_doctype=rec.SIGN_OFF):
		links.extend(html.unescape(link) for link in _LINK.findall(row.html))
	assert links, f"no sign-off link was e-mailed for {sign_off}"
	return links[-1]


def token_of(link: str) -> str:
	return re.search(r"token=([^&]+)", link).group(1)


def decisions_for(sign_off: str, decision: str = "Accepted", comment: str | None = None) -> dict:
	"""{requirement row: {"decision", "comment"}} for every requirement the sign-off asks about."""
	rows = frappe.get_all(
		"Customer Sign-off Decision",
		filters={"parent": sign_off, "parenttype": rec.SIGN_OFF},
		fields=["requirement_row"],
		order_by="idx asc",
	)
	return {row.requirement_row: {"decision": decision, "comment": comment} for row in rows}


def post_decision(server, token, decisions, comment=None, forwarded: str | None = None, **extra):
	"""The page's POST, as an anonymous client (each call its own claimed address unless `forwarded`)."""
	return requests.post(
		server.url + SUBMIT,
		json={"token": token, "decisions": decisions, "comment": comment, **extra},
		headers={**JSON_HEADERS, "X-Forwarded-For": forwarded or random_address()},
		timeout=120,
	)


def get_page(server, token: str, **headers) -> requests.Response:
	return requests.get(f"{server.url}{PAGE}", params={"token": token}, headers=headers, timeout=60)


def stored(sign_off: str) -> dict:
	"""The sign-off as stored now (status, decision times, the decisions), from a fresh snapshot."""
	refresh()
	row = frappe.db.get_value(
		rec.SIGN_OFF,
		sign_off,
		["status", "decided_on", "decided_by", "comment", "void_reason", "reminders_sent", "token_hash"],
		as_dict=True,
	)
	row.decisions = frappe.get_all(
		"Customer Sign-off Decision",
		filters={"parent": sign_off, "parenttype": rec.SIGN_OFF},
		fields=["requirement_row", "decision", "comment"],
		order_by="idx asc",
	)
	return row


def case_state(case: str) -> str:
	refresh()
	return frappe.db.get_value(CASE, case, "workflow_state")


def withdraw(case, people, comment: str = "Changing the scope") -> None:
	"""The relationship manager withdraws the case from Customer Sign-off (open requests withdrawn)."""
	from tests.support.workflow import act

	muted_mail()
	with as_user(people.rm):
		act(frappe.get_doc(CASE, case.name), "Withdraw", people.rm, comment=comment)


def purge_sign_offs(case_names) -> None:
	"""Delete the sign-off records of the cases with their decision rows, e-mails, ToDos and tokens."""
	names = frappe.get_all(rec.SIGN_OFF, filters={"business_case": ("in", list(case_names))}, pluck="name")
	if not names:
		return
	for name in names:
		rec.TOKENS.forget(name)
	queued = frappe.get_all("Email Queue", {"reference_name": ("in", names)}, pluck="name")
	if queued:
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
		frappe.db.delete("Email Queue", {"name": ("in", queued)})
	frappe.db.delete("ToDo", {"reference_type": rec.SIGN_OFF, "reference_name": ("in", names)})
	frappe.db.delete("Comment", {"reference_doctype": rec.SIGN_OFF, "reference_name": ("in", names)})
	frappe.db.delete("Version", {"ref_doctype": rec.SIGN_OFF, "docname": ("in", names)})
	frappe.db.delete("Customer Sign-off Decision", {"parent": ("in", names)})
	frappe.db.delete(rec.SIGN_OFF, {"name": ("in", names)})


@pytest.fixture(scope="module")
def sign_off_cleanup(committed):
	"""Torn down before `committed`: the sign-offs of the module's committed cases go first."""
	yield
	frappe.db.rollback()
	purge_sign_offs([name for doctype, name in committed.records if doctype == CASE])
	frappe.db.commit()  # nosemgrep: removes the records the module committed for the live server
