"""Acceptance at the end (issue 16 point 7): a completed project asks the case's signatories to accept the
delivery; the opportunity is Delivered only after every signatory accepted every requirement, or after a
waiver by a BRM Process Manager with a reason."""

from types import SimpleNamespace

import frappe
import pytest

from brm_app.api.sign_off import waive_acceptance
from brm_app.exceptions import CustomerSignOffError
from brm_app.integrations.projects import create_project
from brm_app.services import approval_rules as rules
from brm_app.signoff import records as rec
from tests.support.factories import make_business_case, make_opportunity, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import (
	add_signatory,
	approve_business_case,
	customer_decides,
	make_approver,
	quiet_mail,
	set_threshold,
)

RM, PM = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER


@pytest.fixture
def world():
	"""An approved case with two signatories, for an opportunity, and its project completed."""
	quiet_mail()
	set_threshold(10**12)
	preparer = make_approver(RM)
	customer = make_portfolio(relationship_manager=preparer).customer
	opportunity = make_opportunity(customer=customer)
	with as_user(preparer):
		case = make_business_case(
			customer=customer,
			service_opportunity=opportunity.name,
			title="Managed Wi-Fi for all sites",
			requirements=[
				{"requirement": "Coverage in every office", "acceptance_criteria": "Signal above -67 dBm"},
				{"requirement": "Guest network separated", "acceptance_criteria": "No route to LAN"},
			],
		)
		add_signatory(case)
		add_signatory(frappe.get_doc("Business Case", case.name), role="Sponsor")
	approver = make_approver(PM)
	case = approve_business_case(frappe.get_doc("Business Case", case.name), manager=approver)
	delivery = make_approver(PM, "Projects User")
	with as_user(delivery):
		project = frappe.get_doc("Project", create_project(case.name))
	project.reload()
	project.status = "Completed"
	project.percent_complete_method = "Manual"
	project.percent_complete = 100
	project.save()
	return SimpleNamespace(
		case=case, opportunity=opportunity, preparer=preparer, approver=approver, project=project
	)


def status(world) -> str:
	return frappe.db.get_value("Service Opportunity", world.opportunity.name, "status")


def acceptance_requests(world, statuses=(rec.REQUESTED,)) -> list[str]:
	return frappe.get_all(
		rec.SIGN_OFF,
		filters={"business_case": world.case.name, "purpose": rec.ACCEPTANCE, "status": ("in", statuses)},
		pluck="name",
		order_by="creation",
	)


def test_a_completed_project_asks_every_signatory_to_accept(world):
	assert len(world.case.signatories) == 2
	requests = acceptance_requests(world)
	assert len(requests) == 2
	contacts = {frappe.db.get_value(rec.SIGN_OFF, name, "signatory_contact") for name in requests}
	assert contacts == {s.contact for s in world.case.signatories}
	assert status(world) == "Awaiting Acceptance"
	# every request went out by e-mail (the signatories are not desk users)
	for name in requests:
		assert frappe.db.exists("Email Queue", {"reference_doctype": rec.SIGN_OFF, "reference_name": name})
	# saving the project again asks nobody twice
	world.project.reload()
	world.project.save()
	assert len(acceptance_requests(world, (rec.REQUESTED, rec.ACCEPTED))) == 2


def test_delivered_only_after_every_signatory_accepted(world):
	first, second = acceptance_requests(world)
	customer_decides(first)
	assert status(world) == "Awaiting Acceptance"
	case = frappe.get_doc("Business Case", world.case.name)
	assert [s.acceptance_status for s in case.signatories].count("Accepted") == 1
	assert all(not row.accepted_on for row in case.requirements)
	customer_decides(second)
	assert status(world) == "Delivered"
	case = frappe.get_doc("Business Case", world.case.name)
	assert case.docstatus == 1
	assert [s.acceptance_status for s in case.signatories] == ["Accepted", "Accepted"]
	assert all(s.accepted_on for s in case.signatories)
	names = ", ".join(s.full_name for s in case.signatories)
	assert [row.accepted_by for row in case.requirements] == [names, names]
	assert all(row.accepted_on for row in case.requirements)


def test_a_rejection_leaves_the_opportunity_not_delivered_and_tells_rm_and_pm(world):
	first, second = acceptance_requests(world)
	customer_decides(first, "Rejected", "The warehouse has no signal")
	customer_decides(second)
	assert status(world) == "Awaiting Acceptance"
	case = frappe.get_doc("Business Case", world.case.name)
	assert sorted(s.acceptance_status for s in case.signatories) == ["Accepted", "Rejected"]
	assert all(not row.accepted_on for row in case.requirements)
	for user in (world.preparer, world.approver):
		todos = frappe.get_all(
			"ToDo",
			filters={"allocated_to": user, "reference_type": "Business Case", "reference_name": case.name},
			pluck="description",
		)
		assert len(todos) == 1
		assert "The warehouse has no signal" in todos[0]


def test_a_process_manager_waives_acceptance_with_a_reason(world):
	manager = make_approver(PM)
	with as_user(manager):
		waive_acceptance(world.case.name, "Customer contact left; delivery confirmed on site")
	assert status(world) == "Delivered"
	assert acceptance_requests(world) == []
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Business Case", "reference_name": world.case.name},
		pluck="content",
	)
	waivers = [c for c in comments if "Customer contact left; delivery confirmed on site" in c]
	assert len(waivers) == 1
	assert manager in waivers[0]
	# a waiver is not an acceptance
	case = frappe.get_doc("Business Case", world.case.name)
	assert all(s.acceptance_status != "Accepted" for s in case.signatories)
	assert frappe.allowed_http_methods_for_whitelisted_func[waive_acceptance] == ["POST"]


def test_a_relationship_manager_cannot_waive(world):
	with as_user(world.preparer), pytest.raises(frappe.PermissionError):
		waive_acceptance(world.case.name, "The customer is happy")
	assert status(world) == "Awaiting Acceptance"
	assert len(acceptance_requests(world)) == 2


def test_a_waiver_needs_a_reason(world):
	manager = make_approver(PM)
	with as_user(manager), pytest.raises(CustomerSignOffError):
		waive_acceptance(world.case.name, "   ")
	assert status(world) == "Awaiting Acceptance"


def test_nobody_sets_delivered_by_hand_on_an_opportunity_with_a_case(world):
	"""The opportunity's form offers the next pipeline step; with a case it is refused (only the customer's
	acceptance or a waiver delivers it), even for a process manager."""
	from brm_app.exceptions import OpportunityStatusTransitionError

	manager = make_approver(PM)
	with as_user(manager):
		doc = frappe.get_doc("Service Opportunity", world.opportunity.name)
		doc.status = "Delivered"
		with pytest.raises(OpportunityStatusTransitionError):
			doc.save()
	assert status(world) == "Awaiting Acceptance"


def test_a_project_completed_again_asks_who_rejected_once_more(world):
	"""After a rejection the project is reopened, fixed and completed again: the signatory who rejected is
	asked again (the one who accepted is not), and their acceptance delivers the opportunity."""
	first, second = acceptance_requests(world)
	rejecter = frappe.db.get_value(rec.SIGN_OFF, first, "signatory_contact")
	customer_decides(first, "Rejected", "The warehouse has no signal")
	customer_decides(second)
	world.project.reload()
	world.project.status = "Open"
	world.project.save()
	assert acceptance_requests(world) == []
	assert status(world) == "Awaiting Acceptance"
	world.project.reload()
	world.project.status = "Completed"
	world.project.save()
	again = acceptance_requests(world)
	assert len(again) == 1
	assert frappe.db.get_value(rec.SIGN_OFF, again[0], "signatory_contact") == rejecter
	customer_decides(again[0])
	assert status(world) == "Delivered"
