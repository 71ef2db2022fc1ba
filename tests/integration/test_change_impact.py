"""Change impact across customers (docs/renewals-and-change-impact.md): the customers an IT Service touches,
notifying their relationship managers once each, and a delivered Retirement."""

from types import SimpleNamespace

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.api import change_impact as api
from brm_app.rhythm import change_impact
from brm_app.services.opportunity_status import allowed_next
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_it_service,
	make_opportunity,
	make_portfolio,
	mute_mail,
	uid,
)
from tests.support.survey_mail import queued_mails
from tests.support.users import as_user, make_user

RM_ROLE = ("Business Relationship Manager",)
AGREEMENT = "Customer Agreement"
OPPORTUNITY = "Service Opportunity"


def impact_world():
	"""Service S: customer A's portfolio uses it (RM a, a stakeholder), customer B has a running agreement
	covering it (RM b) and an expired one; customer C uses another service only (RM c)."""
	mute_mail()
	a, b, c = (make_user(f"brm-impact-{x}@example.com", RM_ROLE) for x in "abc")
	service, other = make_it_service(), make_it_service()
	pa = make_portfolio(relationship_manager=a)
	contact = make_contact(pa.customer)
	pa.append("services", {"it_service": service.name, "business_criticality": "Critical", "user_count": 40})
	pa.append("stakeholders", {"contact": contact.name, "stakeholder_role": "Sponsor"})
	pa.save(ignore_permissions=True)
	pb = make_portfolio(relationship_manager=b)
	running = make_agreement(
		pb.customer,
		services=[{"it_service": service.name, "availability_target": 99.0}],
	)
	running.db_set({"docstatus": 1, "status": "Active"})
	expired = make_agreement(
		pb.customer,
		start_date=add_days(nowdate(), -400),
		end_date=add_days(nowdate(), -10),
		services=[{"it_service": service.name}],
	)
	expired.db_set({"docstatus": 1, "status": "Expired"})
	pc = make_portfolio(relationship_manager=c)
	pc.append("services", {"it_service": other.name})
	pc.save(ignore_permissions=True)
	return SimpleNamespace(
		a=a, b=b, c=c, service=service, pa=pa, pb=pb, pc=pc, running=running, expired=expired, contact=contact
	)


def opportunity(w, kind="Service Change"):
	return make_opportunity(
		w.pa.customer, opportunity_type=kind, impacted_services=[{"it_service": w.service.name}]
	)


def test_customers_affected_lists_portfolios_agreements_and_stakeholders():
	w = impact_world()
	result = api.customers_affected(w.service.name)

	customers = {row.customer: row for row in result["customers"]}
	assert set(customers) == {w.pa.customer, w.pb.customer}
	assert result["other_customers"] == 0
	a, b = customers[w.pa.customer], customers[w.pb.customer]
	assert [(s.it_service, s.business_criticality, s.user_count) for s in a.services] == [
		(w.service.name, "Critical", 40)
	]
	assert [s.contact for s in a.stakeholders] == [w.contact.name]
	assert a.relationship_manager == w.a
	# the running agreement only, with its availability target; B uses the service through it alone
	assert [(g.agreement, g.availability_target) for g in b.agreements] == [(w.running.name, 99.0)]
	assert b.services == [] and b.relationship_manager == w.b


def test_a_relationship_manager_sees_only_their_customers_and_a_count():
	w = impact_world()
	with as_user(w.a):
		result = api.customers_affected(w.service.name)
	assert [row.customer for row in result["customers"]] == [w.pa.customer]
	assert result["other_customers"] == 1
	assert w.pb.customer not in frappe.as_json(result)
	assert w.running.name not in frappe.as_json(result)


def test_the_opportunity_lists_every_affected_customer():
	w = impact_world()
	doc = opportunity(w)
	result = api.opportunity_impact(doc.name)
	assert {row.customer for row in result["customers"]} == {w.pa.customer, w.pb.customer}
	new_service = make_opportunity(w.pa.customer, impacted_services=[{"it_service": w.service.name}])
	assert api.opportunity_impact(new_service.name) == {"customers": [], "other_customers": 0}


def test_notify_tells_each_manager_once():
	w = impact_world()
	doc = opportunity(w)

	assert api.notify_relationship_managers(doc.name) == {"notified": 2, "already": 0, "without_manager": 0}
	assert api.notify_relationship_managers(doc.name) == {"notified": 0, "already": 2, "without_manager": 0}

	for manager, customer in ((w.a, w.pa.customer), (w.b, w.pb.customer)):
		(todo,) = frappe.get_all(
			"ToDo",
			filters={
				"allocated_to": manager,
				"reference_type": "IT Service",
				"reference_name": w.service.name,
			},
			fields=["description"],
		)
		# the ToDo counts the customers; only the manager's own e-mail names them (case 38)
		assert doc.name in todo.description and "1 of your customers" in todo.description
		assert customer not in todo.description
	assert not frappe.db.exists("ToDo", {"allocated_to": w.c, "reference_name": w.service.name})
	mails = queued_mails(doc.name, OPPORTUNITY)
	assert sorted(r for m in mails for r in m.recipients) == sorted([w.a, w.b])
	for mail in mails:  # each manager's e-mail names their customers, and only theirs
		(mine, other) = (w.pa, w.pb) if mail.recipients == [w.a] else (w.pb, w.pa)
		assert mine.customer in mail.html and other.customer not in mail.html
	logged = frappe.get_all(
		"Comment",
		filters={"reference_doctype": OPPORTUNITY, "reference_name": doc.name, "comment_type": "Info"},
		pluck="subject",
	)
	assert sorted(logged) == sorted(change_impact.NOTICE_MARK + m for m in (w.a, w.b))


def test_only_a_change_or_retirement_notifies():
	w = impact_world()
	doc = make_opportunity(w.pa.customer, impacted_services=[{"it_service": w.service.name}])
	with pytest.raises(frappe.ValidationError):
		api.notify_relationship_managers(doc.name)


def deliver_by_hand(doc):
	while doc.status != "Delivered":
		doc.status = allowed_next(doc.status)[0]
		doc.save(ignore_permissions=True)
	return doc


def test_a_delivered_retirement_retires_the_service_and_flags_the_agreements_once():
	w = impact_world()
	doc = deliver_by_hand(opportunity(w, "Retirement"))

	assert frappe.db.get_value("IT Service", w.service.name, "lifecycle_status") == "Retired"
	flags = frappe.get_all(
		"Comment",
		filters={"reference_doctype": AGREEMENT, "subject": change_impact.RETIREMENT_MARK + doc.name},
		pluck="reference_name",
	)
	assert flags == [w.running.name]  # the expired agreement covers nothing any more
	(todo,) = frappe.get_all(
		"ToDo", filters={"reference_type": AGREEMENT, "reference_name": w.running.name}, pluck="allocated_to"
	)
	assert todo == w.b

	assert change_impact.retire_delivered(doc.name) == 0  # again: flagged once
	assert frappe.db.count("ToDo", {"reference_type": AGREEMENT, "reference_name": w.running.name}) == 1


def test_a_retirement_not_delivered_and_a_delivered_change_retire_nothing():
	w = impact_world()
	opportunity(w, "Retirement")
	deliver_by_hand(opportunity(w, "Service Change"))
	assert frappe.db.get_value("IT Service", w.service.name, "lifecycle_status") == "Catalogue"


def test_the_system_delivery_of_a_retirement_retires_too():
	from brm_app.integrations.projects import sync_opportunity_with_project

	w = impact_world()
	doc = opportunity(w, "Retirement")
	project = frappe.get_doc({"doctype": "Project", "project_name": uid("Retire "), "status": "Open"}).insert(
		ignore_permissions=True
	)
	frappe.db.set_value(OPPORTUNITY, doc.name, {"status": "In Delivery", "project": project.name})
	assert sync_opportunity_with_project(project.name, "Completed", 100, doc.name) == "Delivered"
	assert frappe.db.get_value("IT Service", w.service.name, "lifecycle_status") == "Retired"
