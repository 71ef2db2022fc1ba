"""Customer Agreement sign-off workflow (issue 4; docs/design.md "Customer Agreement"; docs/security.md 5, 7, 8).

Draft -> Pending Sign-off -> Active (submitted; both signatories and signed-on) -> Terminated, on the real
site as real users. Expiring / Expired stay derived from the dates; renewal is renew_agreement.
"""

from types import SimpleNamespace

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, getdate, nowdate

from brm_app.api.approvals import apply_action
from brm_app.approvals.guard import clear_action_comment, set_action_comment
from brm_app.brm_app.doctype.customer_agreement.customer_agreement import (
	renew_agreement,
	terminate_agreement,
)
from brm_app.exceptions import (
	AgreementSignOffError,
	AgreementTerminationError,
	ApprovalCommentRequiredError,
	ApprovalConflictError,
	ApprovalRoleError,
	ApprovalTransitionError,
)
from brm_app.services import approval_rules as rules
from tests.support.factories import make_agreement, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import act, make_approver, quiet_mail

RM, PM, PO = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER, rules.PROCESS_OWNER
AG = rules.CUSTOMER_AGREEMENT_WORKFLOW


@pytest.fixture
def people():
	quiet_mail()
	manager = make_approver(RM)
	portfolio = make_portfolio(relationship_manager=manager)
	return SimpleNamespace(
		rm=manager, customer=portfolio.customer, pm=make_approver(PM), po=make_approver(PO)
	)


def new_agreement(people, **kw):
	kw.setdefault("signed_on", nowdate())
	with as_user(people.rm):
		return make_agreement(customer=people.customer, **kw)


def agreement_in(people, state: str, **kw):
	doc = new_agreement(people, **kw)
	if state == "Draft":
		return doc
	doc = act(doc, "Submit for Sign-off", people.rm)
	if state == "Pending Sign-off":
		return doc
	doc = act(doc, "Activate", people.pm)
	if state == "Active":
		return doc
	return act(doc, "Terminate", people.pm, comment="Customer left")


def state_of(doc) -> str:
	return frappe.db.get_value("Customer Agreement", doc.name, "workflow_state")


def test_the_workflow_is_on_the_site_as_defined():
	name = frappe.db.get_value("Workflow", {"document_type": "Customer Agreement", "is_active": 1}, "name")
	workflow = frappe.get_doc("Workflow", name)
	assert name == AG.name
	assert workflow.send_email_alert == 1
	assert workflow.override_status == 1  # the list keeps Active / Expiring / Expired from the dates
	assert {(t.state, t.action, t.next_state, t.allowed) for t in workflow.transitions} == {
		(t.state, t.action, t.next_state, role) for t in AG.transitions for role in t.roles
	}


def test_sign_off_end_to_end(people):
	doc = new_agreement(people)
	assert (doc.workflow_state, doc.status) == ("Draft", "Draft")
	doc = act(doc, "Submit for Sign-off", people.rm)
	assert (doc.workflow_state, doc.status, doc.docstatus) == ("Pending Sign-off", "Pending Sign-off", 0)
	doc = act(doc, "Activate", people.pm)
	assert (doc.workflow_state, doc.status, doc.docstatus) == ("Active", "Active", 1)
	assert [(r.action, r.state_to, r.user) for r in doc.approval_log] == [
		("Submit for Sign-off", "Pending Sign-off", people.rm),
		("Activate", "Active", people.pm),
	]


# --- every transition, allowed and refused per role ---------------------------------------------------

MATRIX = [(t, role) for t in AG.transitions for role in rules.BRM_ROLES]


def test_every_transition_allowed_and_refused_per_role(people):
	"""Through save / submit / cancel (paths frappe's own workflow check does not fully cover)."""
	actors = {RM: make_approver(RM), PM: make_approver(PM), PO: make_approver(PO)}
	# the acting relationship manager serves the customer (row-level access): only the role rules decide
	portfolio = frappe.get_doc("Customer Portfolio", people.customer)
	portfolio.append("relationship_team", {"user": actors[RM]})
	portfolio.save(ignore_permissions=True)
	outcomes, expected = {}, {}
	for transition, role in MATRIX:
		key = (transition.state, transition.action, role)
		expected[key] = "moved" if role in transition.roles else "refused"
		doc = agreement_in(people, transition.state)
		target_docstatus = AG.docstatus_of(transition.next_state)
		set_action_comment(doc.doctype, doc.name, "Reason given")
		try:
			with as_user(actors[role]):
				if target_docstatus == 2:
					doc.cancel()
				elif target_docstatus == 1 and doc.docstatus == 0:
					doc.workflow_state = transition.next_state
					doc.submit()
				else:
					doc.workflow_state = transition.next_state
					doc.save()
			outcomes[key] = "moved" if state_of(doc) == transition.next_state else "stayed"
		except ApprovalRoleError:
			outcomes[key] = "refused"
		except frappe.PermissionError:
			# the role lacks the document permission (e.g. cancel) before any workflow check
			outcomes[key] = (
				"refused" if not frappe.has_permission(doc.doctype, "cancel", user=actors[role]) else "?"
			)
		finally:
			clear_action_comment(doc.doctype, doc.name)
	assert outcomes == expected


def test_a_relationship_manager_cannot_activate_on_any_path(people):
	doc = agreement_in(people, "Pending Sign-off")
	with as_user(people.rm), pytest.raises(frappe.ValidationError):
		apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Activate")
	with as_user(people.rm), pytest.raises(ApprovalRoleError):
		apply_action(doc.doctype, doc.name, "Activate")
	with as_user(people.rm), pytest.raises(ApprovalRoleError):
		frappe.get_doc(doc.doctype, doc.name).submit()  # the domain model lets them submit
	assert state_of(doc) == "Pending Sign-off"


def test_a_draft_cannot_be_activated_directly(people):
	doc = new_agreement(people)
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		frappe.get_doc(doc.doctype, doc.name).submit()
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		frappe.client.set_value(doc.doctype, doc.name, "workflow_state", "Active")
	assert frappe.db.get_value(doc.doctype, doc.name, ["workflow_state", "docstatus"]) == ("Draft", 0)


def test_a_new_agreement_starts_in_draft(people):
	with as_user(people.rm), pytest.raises(ApprovalTransitionError):
		make_agreement(customer=people.customer, workflow_state="Active")


# --- sign-off, send back ------------------------------------------------------------------------------


def test_activation_needs_the_sign_off(people):
	doc = agreement_in(people, "Pending Sign-off", signed_on=None)
	with pytest.raises(AgreementSignOffError):
		act(doc, "Activate", people.pm)
	frappe.db.set_value(doc.doctype, doc.name, "signed_on", nowdate())
	assert act(doc, "Activate", people.pm).status == "Active"


def test_send_back_needs_a_reason(people):
	doc = agreement_in(people, "Pending Sign-off")
	with as_user(people.rm), pytest.raises(ApprovalCommentRequiredError):
		apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Send Back")
	doc = act(doc, "Send Back", people.rm, comment="Customer asks for 99.9%")
	assert (doc.workflow_state, doc.status) == ("Draft", "Draft")
	assert doc.approval_log[-1].comment == "Customer asks for 99.9%"


# --- termination reuses the agreement's own termination --------------------------------------------------


def test_terminate_through_the_workflow_action(people):
	doc = act(agreement_in(people, "Active"), "Terminate", people.pm, comment="Service moved in-house")
	assert (doc.workflow_state, doc.status, doc.docstatus) == ("Terminated", "Terminated", 1)
	assert getdate(doc.terminated_on) == getdate(nowdate())
	assert doc.termination_reason == "Service moved in-house"
	assert doc.approval_log[-1].action == "Terminate"


def test_terminate_needs_a_reason_on_every_path(people):
	doc = agreement_in(people, "Active")
	with pytest.raises(AgreementTerminationError):
		act(doc, "Terminate", people.pm)
	with as_user(people.pm), pytest.raises(AgreementTerminationError):
		apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Terminate")
	assert (state_of(doc), frappe.db.get_value(doc.doctype, doc.name, "terminated_on")) == ("Active", None)


def test_terminate_agreement_moves_the_workflow_and_checks_the_role(people):
	doc = agreement_in(people, "Active")
	with as_user(people.rm), pytest.raises(ApprovalRoleError):
		terminate_agreement(doc.name, "Cheaper elsewhere")
	with as_user(people.po):
		assert terminate_agreement(doc.name, "Cheaper elsewhere") == "Terminated"
	assert state_of(doc) == "Terminated"


def test_editing_terminated_on_is_the_terminate_transition(people):
	doc = agreement_in(people, "Active")
	doc.terminated_on = nowdate()
	doc.termination_reason = "Merged with another agreement"
	with as_user(people.rm), pytest.raises(ApprovalRoleError):
		doc.save()
	doc.reload()
	doc.terminated_on = nowdate()
	doc.termination_reason = "Merged with another agreement"
	with as_user(people.pm):
		doc.save()
	assert (state_of(doc), frappe.db.get_value(doc.doctype, doc.name, "status")) == (
		"Terminated",
		"Terminated",
	)


def test_an_expired_agreement_cannot_be_terminated(people):
	doc = agreement_in(
		people,
		"Active",
		start_date=add_days(nowdate(), -400),
		end_date=add_days(nowdate(), -35),
		signed_on=add_days(nowdate(), -400),
	)
	assert doc.status == "Expired"
	with as_user(people.pm), pytest.raises(AgreementTerminationError):
		apply_action(doc.doctype, doc.name, "Terminate", comment="Too late")
	set_action_comment(doc.doctype, doc.name, "Too late")
	try:
		with as_user(people.pm), pytest.raises(AgreementTerminationError):
			apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Terminate")
	finally:
		clear_action_comment(doc.doctype, doc.name)


def test_expiring_and_expired_come_from_the_dates(people):
	doc = agreement_in(
		people,
		"Active",
		start_date=add_days(nowdate(), -300),
		signed_on=add_days(nowdate(), -300),
		end_date=add_days(nowdate(), 20),
		notice_period_days=30,
	)
	assert (doc.workflow_state, doc.status) == ("Active", "Expiring")


def test_cancel_moves_to_cancelled(people):
	doc = agreement_in(people, "Active")
	with as_user(people.pm):
		frappe.get_doc(doc.doctype, doc.name).cancel()
	assert frappe.db.get_value(doc.doctype, doc.name, ["workflow_state", "status"]) == (
		"Cancelled",
		"Cancelled",
	)


# --- renewal: the next version, through the workflow again ------------------------------------------------


def test_a_renewal_is_a_new_draft_version_signed_afresh(people):
	source = agreement_in(people, "Active")
	with as_user(people.rm):
		renewal = frappe.get_doc("Customer Agreement", renew_agreement(source.name))
	assert renewal.prepared_by == people.rm  # whoever renews prepares the new version
	assert (renewal.workflow_state, renewal.status, renewal.previous_agreement) == (
		"Draft",
		"Draft",
		source.name,
	)
	assert renewal.approval_log == []
	with as_user(people.rm):
		renewal.signed_on = nowdate()
		renewal.save()
	renewal = act(act(renewal, "Submit for Sign-off", people.rm), "Activate", people.pm)
	assert renewal.workflow_state == "Active"


# --- notification and conflicts ---------------------------------------------------------------------------


def test_managers_get_a_workflow_action_for_pending_sign_off(people):
	doc = agreement_in(people, "Pending Sign-off")
	names = frappe.get_all(
		"Workflow Action",
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name, "status": "Open"},
		pluck="name",
	)
	roles = set(frappe.get_all("Workflow Action Permitted Role", {"parent": ("in", names)}, pluck="role"))
	assert roles == {PM, PO}
	act(doc, "Activate", people.pm)
	assert not frappe.db.exists(
		"Workflow Action", {"reference_doctype": doc.doctype, "reference_name": doc.name, "status": "Open"}
	)


def test_acting_on_a_moved_agreement_is_a_clear_conflict(people):
	doc = agreement_in(people, "Pending Sign-off")
	act(doc, "Activate", people.pm)
	with as_user(people.po), pytest.raises(ApprovalConflictError):
		apply_action(doc.doctype, doc.name, "Activate", expected_state="Pending Sign-off")
