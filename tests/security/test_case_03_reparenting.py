"""docs/security.md case 3: re-parenting. save / set_value on another manager's record with `customer` changed to
one's own → refused (permission is checked against the stored record before the save, not only against the
new values); moving one's own record into another manager's customer → refused too.

Over HTTP (PUT /api/resource, frappe.client.set_value, frappe.client.save, /api/v2) against a real server on
loopback, and through the ORM (Document.save, frappe.client.set_value in-process). Each refusal leaves the
stored record as it was; a manager moving a record between two of their own customers is allowed.
"""

import json

import frappe
import pytest

from tests.security.conftest import AGREEMENT, CASE, OPPORTUNITY, PORTFOLIO, SURVEY, make_world
from tests.support.factories import uid
from tests.support.security import HttpUser
from tests.support.users import as_user

MOVABLE = (AGREEMENT, OPPORTUNITY, CASE, SURVEY)


def _stored(doctype, name) -> tuple:
	frappe.db.rollback()
	return tuple(frappe.db.get_value(doctype, name, ["customer", "portfolio", "relationship_manager"]))


# --- over HTTP ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rm_b(server, world):
	return HttpUser(server, world.rm_b)


@pytest.fixture(scope="module")
def rm_t(server, world):
	return HttpUser(server, world.rm_t)


@pytest.mark.parametrize("doctype", MOVABLE)
def test_taking_another_managers_record_over_http_is_refused(world, rm_b, doctype):
	other = world.records["a1"][doctype]
	own_customer = world.records["b1"][PORTFOLIO]
	before = _stored(doctype, other)

	put = rm_b.resource("PUT", doctype, other, json={"customer": own_customer})
	assert put.status_code == 403, put.text[:500]
	set_value = rm_b.call(
		"frappe.client.set_value", doctype=doctype, name=other, fieldname="customer", value=own_customer
	)
	assert set_value.status_code == 403, set_value.text[:500]
	v2 = rm_b.session.patch(
		f"{rm_b.url}/api/v2/document/{doctype}/{other}",
		json={"customer": own_customer},
		headers=rm_b._headers(),
		timeout=60,
	)
	assert v2.status_code == 403, v2.text[:500]
	# a whole document posted to frappe.client.save: A's record, with B's customer and portfolio
	frappe.db.rollback()
	body = frappe.get_doc(doctype, other).as_dict(convert_dates_to_str=True)
	body.update(
		customer=own_customer,
		portfolio=world.records["b1"][PORTFOLIO],
		relationship_manager=world.rm_b,
	)
	save = rm_b.call("frappe.client.save", doc=json.dumps(body, default=str))
	assert save.status_code == 403, save.text[:500]
	assert _stored(doctype, other) == before


@pytest.mark.parametrize("doctype", MOVABLE)
def test_pushing_own_record_into_another_managers_customer_over_http_is_refused(world, rm_b, doctype):
	own = world.records["b1"][doctype]
	before = _stored(doctype, own)
	put = rm_b.resource("PUT", doctype, own, json={"customer": world.records["a1"][PORTFOLIO]})
	assert put.status_code == 403, put.text[:500]
	assert _stored(doctype, own) == before


def test_team_member_cannot_move_a_record_out_of_the_portfolio_they_serve(world, rm_t):
	"""rm_t is on a2's relationship team only: moving a2's opportunity to A's other customer a1 is refused."""
	name = world.records["a2"][OPPORTUNITY]
	before = _stored(OPPORTUNITY, name)
	response = rm_t.call(
		"frappe.client.set_value",
		doctype=OPPORTUNITY,
		name=name,
		fieldname="customer",
		value=world.records["a1"][PORTFOLIO],
	)
	assert response.status_code == 403, response.text[:500]
	assert _stored(OPPORTUNITY, name) == before


def test_taking_over_another_managers_portfolio_over_http_is_refused(world, rm_b):
	portfolio = world.records["a1"][PORTFOLIO]
	before = frappe.db.get_value(PORTFOLIO, portfolio, "relationship_manager")
	for payload in ({"relationship_manager": world.rm_b}, {"relationship_team": [{"user": world.rm_b}]}):
		response = rm_b.resource("PUT", PORTFOLIO, portfolio, json=payload)
		assert response.status_code == 403, response.text[:500]
	frappe.db.rollback()
	assert frappe.db.get_value(PORTFOLIO, portfolio, "relationship_manager") == before
	assert not frappe.db.exists("Portfolio Team Member", {"parent": portfolio, "user": world.rm_b})


# --- through the ORM ---------------------------------------------------------------------------------------


@pytest.fixture
def local_world(rolled_back):
	return make_world(uid("rep"))


@pytest.mark.parametrize("doctype", MOVABLE)
def test_orm_save_and_set_value_re_parenting_is_refused(local_world, doctype):
	from frappe.client import set_value

	world = local_world
	other = world.records["a1"][doctype]
	own_customer = world.records["b1"][PORTFOLIO]
	before = frappe.db.get_value(doctype, other, ["customer", "portfolio"])
	with as_user(world.rm_b):
		doc = frappe.get_doc(doctype, other)
		doc.customer = own_customer
		with pytest.raises(frappe.PermissionError):
			doc.save()
		with pytest.raises(frappe.PermissionError):
			set_value(doctype, other, "customer", own_customer)
		# and the other way round
		mine = frappe.get_doc(doctype, world.records["b1"][doctype])
		mine.customer = world.records["a1"][PORTFOLIO]
		with pytest.raises(frappe.PermissionError):
			mine.save()
	assert frappe.db.get_value(doctype, other, ["customer", "portfolio"]) == before


@pytest.mark.parametrize("doctype", MOVABLE)
def test_manager_may_move_a_record_between_their_own_customers(local_world, doctype):
	"""The rule refuses only what crosses into or out of someone else's portfolio."""
	world = local_world
	name = world.records["a1"][doctype]
	with as_user(world.rm_a):
		doc = frappe.get_doc(doctype, name)
		doc.customer = world.records["a2"][PORTFOLIO]
		doc.save()
	assert frappe.db.get_value(doctype, name, "portfolio") == world.records["a2"][PORTFOLIO]
