"""Case 24 (docs/security.md): a request that claims a stored record is new (`__islocal`), names another
customer for it, or renames it → the stored row's access applies; nothing of another manager is returned,
nothing is renamed.

Over HTTP against a real server on loopback, as relationship manager A against B's record of each of the
five BRM doctypes: `run_doc_method` (v1 and /api/v2/method/run_doc_method) with a posted document that
says `__islocal`, `docstatus` 0 and A's customer, calling `rename` with `validate_rename` 0 (frappe then
skips its own permission and allow-rename checks), with the same name and with a new one;
`frappe.client.rename_doc` and `frappe.model.rename_doc.update_document_title`. And A renaming a record
of their own with `validate_rename` 0: BRM records cannot be renamed on any path
(brm_app.controllers.records.refuse_rename).
"""

import json

import frappe
import pytest

from tests.security.conftest import DOCTYPES, PORTFOLIO, TITLE_FIELD
from tests.support.security import HttpUser

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture(scope="module")
def rm_a(server, world):
	return HttpUser(server, world.rm_a)


@pytest.fixture(params=DOCTYPES)
def doctype(request):
	return request.param


def _stored(doctype, name) -> dict | None:
	frappe.db.rollback()
	return frappe.db.get_value(doctype, name, ["name", "modified", "customer"], as_dict=True)


def _claimed_new(world, doctype, name) -> str:
	"""B's record as a posted document that says it is new and of A's customer."""
	return json.dumps(
		{
			"doctype": doctype,
			"name": name,
			"__islocal": 1,
			"docstatus": 0,
			"customer": world.records["a1"][PORTFOLIO],
		}
	)


def _leaks(world, doctype, response) -> list[str]:
	"""What of B's record the response carries: its title marker, or a document in `docs`."""
	found = []
	if world.marker["b1"] in response.text:
		found.append("marker")
	title = frappe.db.get_value(doctype, world.records["b1"][doctype], TITLE_FIELD[doctype])
	if title and title in response.text and doctype != PORTFOLIO:
		found.append("title")
	body = response.json()
	if body.get("docs"):
		found.append("docs")
	return found


def _v1(browser, docs, args):
	return browser.call("run_doc_method", docs=docs, method="rename", args=json.dumps(args))


def _v2(browser, docs, args):
	return browser.session.post(
		f"{browser.url}/api/v2/method/run_doc_method",
		json={"method": "rename", "document": json.loads(docs), "kwargs": args},
		headers=browser._headers(),
		timeout=60,
	)


@pytest.mark.parametrize("route", [_v1, _v2], ids=["v1", "v2"])
def test_claiming_another_managers_record_is_new_returns_nothing(world, rm_a, doctype, route):
	other = world.records["b1"][doctype]
	before = _stored(doctype, other)
	response = route(rm_a, _claimed_new(world, doctype, other), {"name": other, "validate_rename": 0})
	assert response.status_code == 403, response.text[:500]
	assert _leaks(world, doctype, response) == []
	assert _stored(doctype, other) == before


@pytest.mark.parametrize("route", [_v1, _v2], ids=["v1", "v2"])
def test_claiming_another_managers_record_is_new_renames_nothing(world, rm_a, doctype, route):
	other = world.records["b1"][doctype]
	before = _stored(doctype, other)
	new_name = f"{other}-taken"
	response = route(rm_a, _claimed_new(world, doctype, other), {"name": new_name, "validate_rename": 0})
	assert response.status_code == 403, response.text[:500]
	assert _stored(doctype, other) == before
	assert _stored(doctype, new_name) is None


def test_rename_endpoints_on_another_managers_record_are_refused(world, rm_a, doctype):
	other = world.records["b1"][doctype]
	before = _stored(doctype, other)
	new_name = f"{other}-moved"
	calls = {
		"frappe.client.rename_doc": rm_a.call(
			"frappe.client.rename_doc", doctype=doctype, old_name=other, new_name=new_name
		),
		"update_document_title": rm_a.call(
			"frappe.model.rename_doc.update_document_title",
			doctype=doctype,
			docname=other,
			name=new_name,
		),
	}
	for route, response in calls.items():
		assert response.status_code == 403, (route, response.text[:500])
		assert world.marker["b1"] not in response.text, route
	assert _stored(doctype, other) == before
	assert _stored(doctype, new_name) is None


@pytest.mark.parametrize("route", [_v1, _v2], ids=["v1", "v2"])
def test_renaming_an_own_record_without_validation_is_refused(world, rm_a, doctype, route):
	"""None of the BRM doctypes allows renaming; frappe checks that only with validate_rename on."""
	own = world.records["a1"][doctype]
	frappe.db.rollback()
	docs = json.dumps(frappe.get_doc(doctype, own).as_dict(convert_dates_to_str=True), default=str)
	before = _stored(doctype, own)
	new_name = f"{own}-renamed"
	response = route(rm_a, docs, {"name": new_name, "validate_rename": 0})
	assert response.status_code == 403, response.text[:500]
	assert _stored(doctype, own) == before
	assert _stored(doctype, new_name) is None


def test_own_record_is_still_readable(world, rm_a, doctype):
	"""The refusals above are about the stored row: A's own record still comes back to A."""
	own = world.records["a1"][doctype]
	response = rm_a.call("frappe.client.get", doctype=doctype, name=own)
	assert response.status_code == 200, response.text[:500]
	assert response.json()["message"]["name"] == own
