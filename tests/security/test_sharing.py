"""Document sharing cannot be used to escape row-level access unless a Process Manager shares.

frappe grants read on a shared document even when the has_permission hook denies it, so a relationship
manager sharing their customer's record with another manager would hand it over: refused, whether through
frappe.share.add, with frappe's share-permission check skipped (as assignments do), by assignment, or
with everyone. A BRM Process Manager's share does give the other manager read access (and only that).
"""

import frappe
import pytest
from frappe.desk.form import assign_to

from tests.security.conftest import AGREEMENT, CASE, make_world
from tests.support.factories import uid
from tests.support.users import as_user

pytestmark = pytest.mark.usefixtures("rolled_back")


@pytest.fixture
def world():
	return make_world(uid("shr"))


def _readable(doctype, name, user) -> bool:
	with as_user(user):
		listed = name in frappe.get_list(doctype, pluck="name", limit=0)
		allowed = frappe.has_permission(doctype, "read", doc=name)
	assert listed == allowed
	return allowed


@pytest.mark.parametrize("doctype", [AGREEMENT, CASE])
def test_relationship_manager_cannot_share_own_record_with_another_manager(world, doctype):
	name = world.records["a1"][doctype]
	with as_user(world.rm_a):
		assert frappe.has_permission(doctype, "read", doc=name)
		with pytest.raises(frappe.PermissionError):
			frappe.share.add(doctype, name, user=world.rm_b)
		# frappe's own share-permission check skipped, as an assignment does: the app still refuses
		with pytest.raises(frappe.PermissionError):
			frappe.share.add_docshare(doctype, name, user=world.rm_b, flags={"ignore_share_permission": 1})
		with pytest.raises(frappe.PermissionError):
			frappe.share.add_docshare(doctype, name, everyone=1, flags={"ignore_share_permission": 1})
	assert not frappe.db.exists("DocShare", {"share_doctype": doctype, "share_name": name})
	assert not _readable(doctype, name, world.rm_b)


def test_assignment_to_another_manager_does_not_share_the_record(world):
	name = world.records["a1"][AGREEMENT]
	with as_user(world.rm_a), pytest.raises(frappe.PermissionError):
		assign_to.add({"assign_to": [world.rm_b], "doctype": AGREEMENT, "name": name, "description": "x"})
	assert not _readable(AGREEMENT, name, world.rm_b)


def test_relationship_manager_may_assign_own_record_to_a_process_manager(world):
	"""Sharing with a process manager gives nothing they could not see already: allowed (assignments share)."""
	name = world.records["a1"][AGREEMENT]
	with as_user(world.rm_a):
		assign_to.add({"assign_to": [world.pm], "doctype": AGREEMENT, "name": name, "description": "review"})
	assert frappe.db.exists("ToDo", {"reference_name": name, "allocated_to": world.pm})


def test_process_manager_share_gives_the_other_manager_read_only(world):
	name = world.records["a1"][AGREEMENT]
	assert not _readable(AGREEMENT, name, world.rm_b)
	with as_user(world.pm):
		frappe.share.add(AGREEMENT, name, user=world.rm_b)
	assert _readable(AGREEMENT, name, world.rm_b)
	with as_user(world.rm_b):
		doc = frappe.get_doc(AGREEMENT, name)
		doc.check_permission("read")
		assert not frappe.has_permission(AGREEMENT, "write", doc=name)
		doc.agreement_title = "changed by B"
		with pytest.raises(frappe.PermissionError):
			doc.save()
	# the rest of A's customer stays hidden
	assert not _readable("Customer Portfolio", world.records["a1"]["Customer Portfolio"], world.rm_b)
	assert not _readable(CASE, world.records["a1"][CASE], world.rm_b)
	# and the share can be withdrawn
	frappe.share.remove(AGREEMENT, name, world.rm_b)
	assert not _readable(AGREEMENT, name, world.rm_b)
