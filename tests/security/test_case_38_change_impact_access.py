"""Case 38: the change-impact endpoints (docs/renewals-and-change-impact.md) leak no other customer and
notify only for a user who may write the opportunity.

A relationship manager of another customer can neither read an opportunity's affected customers nor
notify through it; on an IT Service (readable by every relationship manager) they receive only their own
customers and a count of the others, never their names, agreements or stakeholders; a user who may read
but not write the opportunity cannot notify; writes are POST-only (case 8 checks every endpoint).
"""

import frappe
import pytest

from brm_app.api import change_impact as api
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_it_service,
	make_opportunity,
	make_portfolio,
	mute_mail,
)
from tests.support.users import as_user, make_user

pytestmark = pytest.mark.usefixtures("rolled_back")

RM_ROLE = ("Business Relationship Manager",)


@pytest.fixture
def world():
	mute_mail()
	a, b = (make_user(f"brm-c38-{x}@example.com", RM_ROLE) for x in "ab")
	reader = make_user("brm-c38-reader@example.com", RM_ROLE)  # of no portfolio
	service = make_it_service()
	pa = make_portfolio(relationship_manager=a)
	pa.append("services", {"it_service": service.name})
	secret_contact = make_contact(pa.customer, first_name="Secret Sponsor")
	pa.append("stakeholders", {"contact": secret_contact.name, "stakeholder_role": "Sponsor"})
	pa.save(ignore_permissions=True)
	agreement = make_agreement(pa.customer, services=[{"it_service": service.name}])
	agreement.db_set({"docstatus": 1, "status": "Active"})
	pb = make_portfolio(relationship_manager=b)
	pb.append("services", {"it_service": service.name})
	pb.save(ignore_permissions=True)
	opportunity = make_opportunity(
		pa.customer, opportunity_type="Service Change", impacted_services=[{"it_service": service.name}]
	)
	return frappe._dict(
		a=a, b=b, reader=reader, service=service, pa=pa, pb=pb, agreement=agreement, opportunity=opportunity
	)


def test_another_customers_manager_cannot_read_or_notify_through_the_opportunity(world):
	with as_user(world.b):
		with pytest.raises(frappe.PermissionError):
			api.opportunity_impact(world.opportunity.name)
		with pytest.raises(frappe.PermissionError):
			api.notify_relationship_managers(world.opportunity.name)
	assert not frappe.db.exists(
		"ToDo", {"reference_type": "IT Service", "reference_name": world.service.name}
	)


def test_the_service_view_names_only_the_callers_customers(world):
	with as_user(world.b):
		result = api.customers_affected(world.service.name)
	text = frappe.as_json(result)
	assert [row.customer for row in result["customers"]] == [world.pb.customer]
	assert result["other_customers"] == 1
	for secret in (world.pa.customer, world.agreement.name, "Secret Sponsor", world.a):
		assert secret not in text


def test_the_opportunitys_own_manager_sees_others_only_as_a_count(world):
	with as_user(world.a):
		result = api.opportunity_impact(world.opportunity.name)
		counts = api.notify_relationship_managers(world.opportunity.name)
	assert [row.customer for row in result["customers"]] == [world.pa.customer]
	assert result["other_customers"] == 1
	assert world.pb.customer not in frappe.as_json(result)
	# every affected manager is told; the answer names nobody
	assert counts == {"notified": 2, "already": 0, "without_manager": 0}


def test_notifying_needs_write_permission_on_the_opportunity(world):
	# read access only: the opportunity shared for reading with a user outside the portfolio
	frappe.share.add_docshare(
		"Service Opportunity",
		world.opportunity.name,
		world.reader,
		read=1,
		write=0,
		flags={"ignore_share_permission": True},
	)
	with as_user(world.reader):
		assert api.opportunity_impact(world.opportunity.name)["other_customers"] == 2
		with pytest.raises(frappe.PermissionError):
			api.notify_relationship_managers(world.opportunity.name)


def test_notifying_leaves_the_caller_no_trace_of_other_customers(world):
	with as_user(world.a):
		api.notify_relationship_managers(world.opportunity.name)
		# assigned_by may read the ToDos it assigned: the caller assigned none
		mine = frappe.client.get_list("ToDo", filters={"assigned_by": world.a}, fields=["description"])
	assert mine == []
	service_comments = frappe.as_json(
		frappe.get_all(
			"Comment",
			filters={"reference_doctype": "IT Service", "reference_name": world.service.name},
			fields=["content"],
		)
	)
	assert world.pb.customer not in service_comments
	assert frappe.db.get_value("Customer", world.pb.customer, "customer_name") not in service_comments
	opportunity_comments = frappe.as_json(
		frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Service Opportunity", "reference_name": world.opportunity.name},
			fields=["content"],
		)
	)
	assert world.b not in opportunity_comments
	# b is still told, once
	assert frappe.db.count("ToDo", {"allocated_to": world.b, "reference_name": world.service.name}) == 1


def test_a_manager_cannot_retire_a_service_by_delivering_a_retirement(world):
	from brm_app.services.opportunity_status import allowed_next

	owner = make_user("brm-c38-owner@example.com", ("BRM Process Manager",))
	world.service.db_set("service_owner", owner)
	with as_user(world.a):
		doc = frappe.get_doc(
			{
				"doctype": "Service Opportunity",
				"opportunity_title": "Retire it",
				"customer": world.pa.customer,
				"opportunity_type": "Retirement",
				"impacted_services": [{"it_service": world.service.name}],
			}
		).insert()
		while doc.status != "Delivered":
			doc.status = allowed_next(doc.status)[0]
			doc.save()
	assert frappe.db.get_value("IT Service", world.service.name, "lifecycle_status") == "Catalogue"
	# the service owner decides
	assert (
		frappe.db.count(
			"ToDo",
			{"allocated_to": owner, "reference_type": "IT Service", "reference_name": world.service.name},
		)
		== 1
	)
	# nothing flagged on the agreements of a service that was not retired
	assert not frappe.db.exists(
		"Comment", {"reference_doctype": "Customer Agreement", "reference_name": world.agreement.name}
	)
