"""Case 35 (docs/security.md): a relationship manager reads, lists, counts, prints or e-mails another
manager's Service Review, its attendees or its action items → refused / nothing returned.

Over HTTP against a real server on loopback, logged in as relationship manager B, on a review of A's
customer (a1) and on B's own review (b1), which must come back (a test that found nothing because the
endpoint failed would prove nothing). The print path tested is /api/method/frappe.utils.print_format.download_pdf
(and frappe.www.printview.get_html_and_style); "E-mail Pack" and the agenda are brm_app.api.service_review.
"""

import frappe
import pytest

from tests.security.conftest import PORTFOLIO
from tests.support.factories import make_contact, make_email_account
from tests.support.security import HttpUser

pytestmark = pytest.mark.usefixtures("world")

REVIEW = "Service Review"
CHILDREN = ("Service Review Attendee", "Service Review Action")


@pytest.fixture(scope="module")
def reviews(world, committed):
	"""A Held review with an attendee and an action item for a1 (A's) and for b1 (B's), committed."""
	frappe.set_user("Administrator")
	account = make_email_account()
	committed.add("Email Account", account.name)
	names = {}
	for key, manager in (("a1", world.rm_a), ("b1", world.rm_b)):
		customer = world.records[key][PORTFOLIO]
		contact = make_contact(customer)
		committed.add("Contact", contact.name)
		review = frappe.get_doc(
			{
				"doctype": REVIEW,
				"customer": customer,
				"review_date": frappe.utils.today(),
				"status": "Held",
				"minutes": f"Minutes {world.marker[key]}",
				"attendees": [{"contact": contact.name}],
				"actions": [{"description": f"Action {world.marker[key]}", "assigned_to": manager}],
			}
		).insert(ignore_permissions=True)
		committed.add(REVIEW, review.name)
		names[key] = review.name
	committed.commit()
	yield names
	frappe.db.rollback()
	for name in names.values():
		committed.add_related(REVIEW, name)


@pytest.fixture(scope="module")
def rm_b(server, world):
	return HttpUser(server, world.rm_b)


def _ok(response):
	assert response.status_code == 200, (response.status_code, response.text[:1000])
	return response.json()


def test_read_and_list_the_other_managers_review(reviews, rm_b, world):
	other, own = reviews["a1"], reviews["b1"]
	assert rm_b.resource("GET", REVIEW, other).status_code == 403
	assert _ok(rm_b.resource("GET", REVIEW, own))["data"]["name"] == own
	listed = {
		row["name"]
		for row in _ok(rm_b.call("frappe.client.get_list", doctype=REVIEW, limit_page_length=0))["message"]
	}
	assert own in listed and other not in listed
	counts = {
		name: _ok(rm_b.call("frappe.client.get_count", doctype=REVIEW, filters={"name": name}))["message"]
		for name in (other, own)
	}
	assert counts == {other: 0, own: 1}
	assert rm_b.call("frappe.client.get", doctype=REVIEW, name=other).status_code == 403


def test_the_child_rows_of_the_other_managers_review(reviews, rm_b):
	other, own = reviews["a1"], reviews["b1"]
	for child in CHILDREN:
		rows = _ok(
			rm_b.call(
				"frappe.client.get_list",
				doctype=child,
				parent=REVIEW,
				fields=["parent"],
				limit_page_length=0,
			)
		)["message"]
		parents = {row["parent"] for row in rows}
		assert own in parents and other not in parents, child


def test_print_email_and_agenda_of_the_other_managers_review(reviews, rm_b, world):
	other, own = reviews["a1"], reviews["b1"]
	pdf = rm_b.session.get(
		f"{rm_b.url}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": REVIEW, "name": other, "format": "Service Review Pack"},
		timeout=120,
	)
	assert pdf.status_code == 403
	html = rm_b.call(
		"frappe.www.printview.get_html_and_style", doc=REVIEW, name=other, print_format="Service Review Pack"
	)
	assert html.status_code == 403 and world.marker["a1"] not in html.text
	agenda = rm_b.call("brm_app.api.service_review.get_agenda", review=other)
	assert agenda.status_code == 403
	mailed = rm_b.call("brm_app.api.service_review.email_pack", review=other)
	assert mailed.status_code == 403
	frappe.db.rollback()
	assert not frappe.get_all("Email Queue", filters={"reference_doctype": REVIEW, "reference_name": other})
	# B's own review: printed, its agenda shown, its pack e-mailed to its attendee
	own_pdf = rm_b.session.get(
		f"{rm_b.url}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": REVIEW, "name": own, "format": "Service Review Pack"},
		timeout=120,
	)
	assert own_pdf.status_code == 200 and own_pdf.content.startswith(b"%PDF")
	assert (
		"brm-review-agenda"
		in _ok(rm_b.call("brm_app.api.service_review.get_agenda", review=own))["message"]["html"]
	)
	assert len(_ok(rm_b.call("brm_app.api.service_review.email_pack", review=own))["message"]) == 1


def test_email_pack_is_post_only(reviews, rm_b):
	response = rm_b.get_method("brm_app.api.service_review.email_pack", review=reviews["b1"])
	assert response.status_code in (403, 405)


def test_moving_a_review_to_another_managers_customer_is_refused(reviews, rm_b, world):
	response = rm_b.resource("PUT", REVIEW, reviews["b1"], json={"customer": world.records["a1"][PORTFOLIO]})
	assert response.status_code == 403
	frappe.db.rollback()
	assert frappe.db.get_value(REVIEW, reviews["b1"], "customer") == world.records["b1"][PORTFOLIO]
