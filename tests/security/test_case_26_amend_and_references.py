"""Case 26 (docs/security.md): amending a record one may not read, or of another customer, or one that is not
cancelled → refused, and nothing is copied (values into the amendment's Version, attachments, requirement
sign-offs); every other field that names a BRM record (previous agreement, source survey, business case of
an opportunity, service opportunity of a case, a survey's reference) → refused unless the user may read the
record and it is of the same customer (brm_app.controllers.references, from BRMRecord.before_validate).

Over HTTP against a real server on loopback, as relationship manager A (a1, a2) against B's records (b1):
B's business case carries a private attachment, which A must not be able to download afterwards.
"""

import frappe
import pytest

from tests.security.conftest import AGREEMENT, CASE, OPPORTUNITY, PORTFOLIO, SURVEY
from tests.support.factories import uid
from tests.support.security import HttpUser, refresh

pytestmark = pytest.mark.usefixtures("world")


def _cancel(name: str) -> None:
	"""Mark a committed business case cancelled (what the workflow's Cancel leaves), so that only the
	rule under test can refuse an amendment of it."""
	frappe.db.set_value(CASE, name, {"docstatus": 2, "workflow_state": "Cancelled"}, update_modified=False)
	for table in frappe.get_meta(CASE).get_table_fields():
		frappe.db.sql(
			f"update `tab{table.options}` set docstatus = 2 where parenttype = %s and parent = %s",
			(CASE, name),
		)


@pytest.fixture(scope="module")
def secret(world, committed):
	"""A private attachment of B's business case (committed), and B's a1/a2/b1 cases cancelled."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for key in ("a1", "a2", "b1"):
		_cancel(world.records[key][CASE])
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{uid('secret')}.txt",
			"content": f"B's private notes {world.marker['b1']}",
			"is_private": 1,
			"attached_to_doctype": CASE,
			"attached_to_name": world.records["b1"][CASE],
		}
	).insert(ignore_permissions=True)
	committed.add("File", file.name)
	committed.commit()
	return file.file_url


@pytest.fixture(scope="module")
def rm_a(server, world):
	return HttpUser(server, world.rm_a)


def _amendment_payload(world, source_key: str, amends: str) -> dict:
	"""A's own a1 case as the desk's Amend button sends it, pointing at `amends`."""
	refresh()
	body = frappe.get_doc(CASE, world.records[source_key][CASE]).as_dict(convert_dates_to_str=True)
	for key in ("name", "__islocal", "__unsaved", "creation", "modified", "workflow_state", "owner"):
		body.pop(key, None)
	for table in ("costs", "benefits", "requirements"):
		for row in body.get(table) or []:
			for key in ("name", "parent", "creation", "modified", "docstatus"):
				row.pop(key, None)
	body.update(
		{
			"amended_from": amends,
			"docstatus": 0,
			"customer": world.records["a1"][PORTFOLIO],
			"title": uid("A"),
		}
	)
	return body


def _amendments_of(name: str) -> list[str]:
	refresh()
	return frappe.get_all(CASE, filters={"amended_from": name}, pluck="name")


def test_amending_another_managers_record_is_refused_and_copies_nothing(world, rm_a, secret):
	other = world.records["b1"][CASE]
	# A cannot download B's attachment to begin with
	assert rm_a.session.get(rm_a.url + secret, timeout=60).status_code == 403
	response = rm_a.resource("POST", CASE, json=_amendment_payload(world, "a1", other))
	assert response.status_code == 403, response.text[:500]
	assert world.marker["b1"] not in response.text
	assert _amendments_of(other) == []
	# no File of A's points at B's attachment, and it still does not download
	assert frappe.get_all("File", filters={"file_url": secret, "owner": world.rm_a}) == []
	assert rm_a.session.get(rm_a.url + secret, timeout=60).status_code == 403
	# no Version of any record holds B's values
	versions = frappe.get_all(
		"Version", filters={"ref_doctype": CASE, "data": ("like", f"%{world.marker['b1']}%")}, pluck="name"
	)
	assert versions == []


def test_amending_a_record_of_another_customer_is_refused(world, rm_a, secret):
	"""a2 is A's own (cancelled) case, but of another customer than the amendment."""
	other_customer = world.records["a2"][CASE]
	response = rm_a.resource("POST", CASE, json=_amendment_payload(world, "a1", other_customer))
	assert response.status_code == 403, response.text[:500]
	assert _amendments_of(other_customer) == []


def test_amending_a_record_that_is_not_cancelled_is_refused(world, rm_a):
	own = world.records["a1"][AGREEMENT]
	refresh()
	body = frappe.get_doc(AGREEMENT, own).as_dict(convert_dates_to_str=True)
	for key in ("name", "__islocal", "creation", "modified", "workflow_state", "status", "owner"):
		body.pop(key, None)
	body.update({"amended_from": own, "docstatus": 0, "agreement_title": uid("A amend")})
	response = rm_a.resource("POST", AGREEMENT, json=body)
	assert response.status_code == 403, response.text[:500]
	refresh()
	assert frappe.get_all(AGREEMENT, filters={"amended_from": own}) == []


def test_amending_an_own_cancelled_record_of_the_same_customer_works(world, rm_a, committed, secret):
	own = world.records["a1"][CASE]
	response = rm_a.resource("POST", CASE, json=_amendment_payload(world, "a1", own))
	assert response.status_code == 200, response.text[:500]
	amended = response.json()["data"]
	committed.add(CASE, amended["name"])
	assert (amended["amended_from"], amended["customer"]) == (own, world.records["a1"][PORTFOLIO])


SAME_CUSTOMER_VALIDATED = ("opportunity source_survey", "case service_opportunity")


# --- the other references to BRM records ---------------------------------------------------------------


def _reference_payloads(world, target_key: str) -> dict:
	"""doctype -> a new record of A's customer a1 naming a record of `target_key`'s customer."""
	target = world.records[target_key]
	customer = world.records["a1"][PORTFOLIO]
	return {
		"agreement previous_agreement": (
			AGREEMENT,
			{
				"agreement_title": uid("A renewal"),
				"customer": customer,
				"agreement_kind": "Internal",
				"start_date": frappe.utils.nowdate(),
				"end_date": frappe.utils.add_days(frappe.utils.nowdate(), 200),
				"previous_agreement": target[AGREEMENT],
			},
		),
		"survey reference": (
			SURVEY,
			{
				"template": world.template,
				"customer": customer,
				"email": f"{uid('r')}@example.com",
				"reference_doctype": AGREEMENT,
				"reference_name": target[AGREEMENT],
			},
		),
		"opportunity source_survey": (
			OPPORTUNITY,
			{
				"opportunity_title": uid("A opp"),
				"customer": customer,
				"opportunity_type": "New Service",
				"source_survey": target[SURVEY],
			},
		),
		"case service_opportunity": (
			CASE,
			{
				"title": uid("A case"),
				"customer": customer,
				"discount_rate": 10,
				"horizon_years": 3,
				"service_opportunity": target[OPPORTUNITY],
			},
		),
	}


@pytest.mark.parametrize(
	"which",
	[
		"agreement previous_agreement",
		"survey reference",
		"opportunity source_survey",
		"case service_opportunity",
	],
)
@pytest.mark.parametrize("target_key", ["b1", "a2"], ids=["another-manager", "another-customer"])
def test_references_to_records_one_may_not_read_or_of_another_customer_are_refused(
	world, rm_a, which, target_key
):
	# a record of another manager is not readable: 403; one's own record of another customer is refused by the
	# controllers' own same-customer checks where they have one (a validation error, 417), else 403
	expected = 417 if target_key == "a2" and which in SAME_CUSTOMER_VALIDATED else 403
	doctype, payload = _reference_payloads(world, target_key)[which]
	field = next(
		key
		for key in payload
		if key in ("previous_agreement", "reference_name", "source_survey", "service_opportunity")
	)
	refresh()
	before = frappe.db.count(doctype, {field: payload[field]})
	response = rm_a.resource("POST", doctype, json=payload)
	assert response.status_code == expected, (which, response.text[:500])
	assert world.marker["b1"] not in response.text
	refresh()
	assert frappe.db.count(doctype, {field: payload[field]}) == before
