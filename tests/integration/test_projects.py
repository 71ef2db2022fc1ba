"""From an approved business case to the ERPNext Project, and the project's progress back to the
opportunity (issue 4; docs/design.md S4 "project portfolio"), as real users."""

from types import SimpleNamespace

import frappe
import pytest

from brm_app.exceptions import ProjectCreationError
from brm_app.integrations.projects import create_project
from brm_app.services import approval_rules as rules
from tests.support.factories import make_business_case, make_opportunity, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import (
	act,
	approve_business_case,
	make_approver,
	quiet_mail,
	set_threshold,
	to_pending_approval,
)

RM, PM = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER


@pytest.fixture
def world():
	"""An approved case of a relationship manager's customer, for an opportunity; a delivery manager."""
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
				{
					"requirement": "Coverage in every office\nincluding the warehouse",
					"acceptance_criteria": "Signal above -67 dBm <b>everywhere</b>",
				},
				{"requirement": "Guest network separated", "acceptance_criteria": ""},
			],
		)
	approver = make_approver(PM)
	case = approve_business_case(case, manager=approver)
	return SimpleNamespace(
		case=case,
		opportunity=opportunity,
		customer=customer,
		preparer=preparer,
		approver=approver,
		delivery=make_approver(PM, "Projects User"),
	)


def make_it(world) -> "frappe.Document":
	with as_user(world.delivery):
		return frappe.get_doc("Project", create_project(world.case.name))


def opportunity_status(world) -> str:
	return frappe.db.get_value("Service Opportunity", world.opportunity.name, "status")


def test_create_project_makes_the_project_and_one_task_per_requirement_linked_both_ways(world):
	assert opportunity_status(world) == "Approved"
	project = make_it(world)
	assert project.project_name == "Managed Wi-Fi for all sites"
	assert project.customer == world.customer
	assert project.company
	assert project.brm_business_case == world.case.name
	assert project.brm_service_opportunity == world.opportunity.name
	assert frappe.db.get_value("Service Opportunity", world.opportunity.name, "project") == project.name

	case = frappe.get_doc("Business Case", world.case.name)
	tasks = [frappe.get_doc("Task", row.task) for row in case.requirements]
	assert [t.project for t in tasks] == [project.name, project.name]
	assert [t.subject for t in tasks] == ["Coverage in every office", "Guest network separated"]
	assert "Signal above -67 dBm &lt;b&gt;everywhere&lt;/b&gt;" in tasks[0].description
	assert frappe.db.count("Task", {"project": project.name}) == 2
	assert (case.docstatus, case.workflow_state) == (1, "Approved")  # the case itself is unchanged


def test_create_project_only_once(world):
	make_it(world)
	with as_user(world.delivery), pytest.raises(ProjectCreationError):
		create_project(world.case.name)
	assert frappe.db.count("Project", {"brm_business_case": world.case.name}) == 1


def test_create_project_only_for_an_approved_case(world):
	with as_user(world.preparer):
		draft = make_business_case(customer=world.customer)
	with as_user(world.delivery), pytest.raises(ProjectCreationError):
		create_project(draft.name)
	rejected = act(to_pending_approval(draft, world.preparer), "Reject", world.approver, comment="No")
	assert rejected.docstatus == 1
	with as_user(world.delivery), pytest.raises(ProjectCreationError):
		create_project(rejected.name)
	assert not frappe.db.exists("Project", {"brm_business_case": draft.name})


def test_create_project_needs_project_create_and_case_read_permission(world):
	with as_user(make_approver(PM)), pytest.raises(frappe.PermissionError):  # no Projects User
		create_project(world.case.name)
	with as_user(make_approver("Projects User")), pytest.raises(frappe.PermissionError):  # cannot read cases
		create_project(world.case.name)
	assert not frappe.db.exists("Project", {"brm_business_case": world.case.name})


def test_create_project_is_post_only():
	assert frappe.allowed_http_methods_for_whitelisted_func[create_project] == ["POST"]


def test_project_progress_moves_the_opportunity_to_in_delivery_then_awaiting_acceptance(world):
	project = make_it(world)
	assert opportunity_status(world) == "Approved"
	project.reload()
	project.percent_complete_method = "Manual"
	project.percent_complete = 0
	project.save()
	assert opportunity_status(world) == "Approved"  # no progress yet
	project.percent_complete = 40
	project.save()
	assert opportunity_status(world) == "In Delivery"
	project.status = "Completed"
	project.percent_complete = 100
	project.save()
	# the customer accepts the delivery before it is Delivered (tests/integration/test_sign_off_acceptance.py)
	assert opportunity_status(world) == "Awaiting Acceptance"


def test_completing_the_tasks_puts_the_opportunity_in_awaiting_acceptance(world):
	project = make_it(world)
	tasks = frappe.get_all("Task", filters={"project": project.name}, pluck="name")
	first = frappe.get_doc("Task", tasks[0])
	first.status = "Completed"
	first.save()
	assert frappe.db.get_value("Project", project.name, "percent_complete") == 50
	assert opportunity_status(world) == "In Delivery"
	second = frappe.get_doc("Task", tasks[1])
	second.status = "Completed"
	second.save()
	assert frappe.db.get_value("Project", project.name, "status") == "Completed"
	assert opportunity_status(world) == "Awaiting Acceptance"


def test_a_project_does_not_move_an_opportunity_that_is_not_approved(world):
	other = make_opportunity(customer=world.customer)
	frappe.db.set_value("Service Opportunity", other.name, "status", "Business Case")
	project = frappe.get_doc(
		{
			"doctype": "Project",
			"project_name": "Unrelated",
			"status": "Open",
			"percent_complete_method": "Manual",
			"brm_service_opportunity": other.name,
		}
	).insert()
	project.percent_complete = 50
	project.save()
	assert frappe.db.get_value("Service Opportunity", other.name, "status") == "Business Case"


def test_the_flow_back_is_wired_as_doc_events():
	events = frappe.get_hooks("doc_events")
	assert "brm_app.integrations.projects.on_project_update" in events["Project"]["on_update"]
	assert "brm_app.integrations.projects.on_task_update" in events["Task"]["on_update"]
