"""docs/security.md case 19: delete a Customer, portfolio or IT Service that BRM records link to → refused with
the links named.

Over HTTP against a real server on loopback, as users who hold the delete right (a process manager for
portfolios and IT Services, a Sales Master Manager for Customers), through DELETE /api/resource,
frappe.client.delete and the list view's bulk delete: each is refused, the message names the linked
records, and everything is still there. (tests/integration/test_link_integrity.py covers the same rule
in-process, including the unused records that may be deleted.)
"""

import html
import re

import frappe
import pytest

from tests.security.conftest import AGREEMENT, PORTFOLIO
from tests.support.factories import make_agreement, make_it_service, make_portfolio, uid
from tests.support.security import HttpUser, http_user


@pytest.fixture(scope="module")
def linked(committed, server):
	"""A customer with a portfolio consuming an IT Service and an agreement covering it (committed)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	slug = uid("del")
	pm = http_user(committed, f"brm-acc-{slug}-pm@example.com", ("BRM Process Manager",))
	sales = http_user(
		committed, f"brm-acc-{slug}-sales@example.com", ("Sales Master Manager", "BRM Process Manager")
	)
	service = make_it_service().name
	portfolio = make_portfolio(services=[{"it_service": service}])
	agreement = make_agreement(customer=portfolio.customer, services=[{"it_service": service}]).name
	committed.add(AGREEMENT, agreement)
	committed.add(PORTFOLIO, portfolio.name)
	committed.add("Customer", portfolio.customer)
	committed.add("IT Service", service)
	committed.commit()
	return frappe._dict(
		pm=HttpUser(server, pm),
		sales=HttpUser(server, sales),
		customer=portfolio.customer,
		portfolio=portfolio.name,
		agreement=agreement,
		service=service,
	)


def _text(response) -> str:
	"""The response's messages and exception, as plain text."""
	body = response.text
	try:
		data = response.json()
		parts = [data.get("exception") or ""]
		for message in frappe.parse_json(data.get("_server_messages") or "[]"):
			parts.append(frappe.parse_json(message).get("message", ""))
		body = " ".join(parts)
	except ValueError:
		pass
	return html.unescape(re.sub(r"<[^>]+>", "", body))


def _refused_naming(response, *names, every=True):
	"""Refused, and the message names every one (or, every=False, at least one) of `names`."""
	assert response.status_code == 417, (response.status_code, response.text[:500])  # frappe.LinkExistsError
	text = _text(response)
	named = [name for name in names if name in text]
	assert named == list(names) if every else named, (names, text[:500])


@pytest.mark.parametrize(
	"doctype, key, user, linked_names",
	[
		("Customer", "customer", "sales", ("portfolio", "agreement")),
		(PORTFOLIO, "portfolio", "pm", ("agreement",)),
		("IT Service", "service", "pm", ("portfolio", "agreement")),
	],
)
def test_delete_of_a_linked_record_is_refused_naming_the_links(linked, doctype, key, user, linked_names):
	browser = linked[user]
	name = linked[key]
	names = [linked[n] for n in linked_names]
	# frappe names the first link it meets (the app's Customer hook names them all)
	_refused_naming(browser.resource("DELETE", doctype, name), *names, every=False)
	_refused_naming(browser.call("frappe.client.delete", doctype=doctype, name=name), *names, every=False)
	frappe.db.rollback()
	assert frappe.db.exists(doctype, name)
	if doctype == "Customer":
		# the app's own message names every kind of BRM record that uses the customer
		_refused_naming(browser.call("frappe.client.delete", doctype=doctype, name=name), *names)


def test_bulk_delete_from_the_list_view_keeps_linked_records(linked):
	response = linked.pm.call(
		"frappe.desk.reportview.delete_items", items=[linked.portfolio], doctype=PORTFOLIO
	)
	# frappe deletes list selections one by one and reports each refusal to the desk: the call itself succeeds
	assert response.status_code == 200, response.text[:500]
	frappe.db.rollback()
	assert frappe.db.exists(PORTFOLIO, linked.portfolio)
	assert frappe.db.exists(AGREEMENT, linked.agreement)
