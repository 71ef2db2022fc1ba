"""docs/security.md case 4: a whitelisted document method called through run_doc_method with only read
permission → refused unless the caller may write / has the role.

The BRM controllers define no whitelisted methods of their own (a test below fails the day one is added
without a refusal test here); what run_doc_method reaches on them are frappe's Document.submit, cancel and
rename. Over HTTP against a real server on loopback, through every route to them (frappe.handler's
run_doc_method with dt/dn or with a posted document, /api/resource POST run_method, /api/v2 method routes):
- a relationship manager on another manager's record → refused;
- a relationship manager with read-only access (a process manager shared the record for reading) → refused;
and the BRM module-level actions on a document (renew, terminate, decide or resend a customer's sign-off,
create project / opportunity / business case, resend invitation) are refused the same way. Nothing changes
in the database.
"""

import inspect
import json

import frappe
import pytest

from brm_app.signoff.records import SIGN_OFF, server_write
from tests.security.conftest import AGREEMENT, CASE, DOCTYPES, OPPORTUNITY, SURVEY
from tests.support.factories import make_email_account, mute_mail
from tests.support.security import HttpUser
from tests.support.workflow import open_sign_offs, to_customer_sign_off

pytestmark = pytest.mark.usefixtures("world")

DOCUMENT_METHODS = ("submit", "cancel", "rename")


def _brm_controller_doctypes() -> list[str]:
	return frappe.get_all("DocType", filters={"module": "BRM App", "istable": 0, "issingle": 0}, pluck="name")


def test_brm_controllers_whitelist_no_methods_of_their_own(site):
	"""Only frappe's Document methods are whitelisted on BRM documents; a new one needs its own refusal
	test in this module (and a write-permission check in the method)."""
	from frappe.model.base_document import get_controller
	from frappe.model.document import Document

	base = {
		name for name, _ in inspect.getmembers(Document) if getattr(_, "__func__", _) in frappe.whitelisted
	}
	assert base >= set(DOCUMENT_METHODS)
	for doctype in _brm_controller_doctypes():
		controller = get_controller(doctype)
		own = {
			name
			for name, member in inspect.getmembers(controller)
			if getattr(member, "__func__", member) in frappe.whitelisted
		}
		assert own <= base, (doctype, own - base)


def _snapshot(doctype, name) -> tuple:
	frappe.db.rollback()
	return tuple(frappe.db.get_value(doctype, name, ["name", "docstatus", "modified"]) or ())


@pytest.fixture(scope="module")
def rm_b(server, world):
	return HttpUser(server, world.rm_b)


@pytest.fixture
def read_only_share(world):
	"""The process manager shares each of A's a1 records with B for reading only (committed, then removed)."""
	frappe.db.rollback()
	frappe.set_user(world.pm)
	try:
		shares = [
			frappe.share.add(doctype, world.records["a1"][doctype], user=world.rm_b).name
			for doctype in DOCTYPES
		]
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()  # nosemgrep: the server reads committed shares; removed after the test
	yield
	frappe.db.rollback()
	for name in shares:
		frappe.db.delete("DocShare", name)
	frappe.db.commit()  # nosemgrep: removes the shares committed above


def _calls(browser, doctype, name, method):
	"""Every HTTP route to Document.<method> of doctype/name."""
	args = {"name": f"{name}-renamed"} if method == "rename" else {}
	frappe.db.rollback()
	body = json.dumps(frappe.get_doc(doctype, name).as_dict(convert_dates_to_str=True), default=str)
	return {
		"run_doc_method dt/dn": browser.call(
			"run_doc_method", dt=doctype, dn=name, method=method, args=json.dumps(args)
		),
		"run_doc_method docs": browser.call(
			"run_doc_method", docs=body, method=method, args=json.dumps(args)
		),
		"api/resource run_method": browser.resource(
			"POST", doctype, name, data={"run_method": method, **args}
		),
		"api/v2 method": browser.session.post(
			f"{browser.url}/api/v2/document/{doctype}/{name}/method/{method}",
			json=args,
			headers=browser._headers(),
			timeout=60,
		),
		"api/v2 run_doc_method": browser.session.post(
			f"{browser.url}/api/v2/method/run_doc_method",
			json={"method": method, "document": json.loads(body), "kwargs": args},
			headers=browser._headers(),
			timeout=60,
		),
	}


@pytest.mark.parametrize("method", DOCUMENT_METHODS)
@pytest.mark.parametrize("doctype", DOCTYPES)
def test_document_methods_on_another_managers_record_are_refused(world, rm_b, doctype, method):
	name = world.records["a1"][doctype]
	before = _snapshot(doctype, name)
	for route, response in _calls(rm_b, doctype, name, method).items():
		assert response.status_code == 403, (route, response.status_code, response.text[:300])
	assert _snapshot(doctype, name) == before


@pytest.mark.parametrize("method", DOCUMENT_METHODS)
@pytest.mark.parametrize("doctype", DOCTYPES)
def test_document_methods_with_read_only_access_are_refused(world, rm_b, read_only_share, doctype, method):
	name = world.records["a1"][doctype]
	# B can read it now (the share works) ...
	assert rm_b.resource("GET", doctype, name).status_code == 200
	before = _snapshot(doctype, name)
	# ... but not submit, cancel or rename it
	for route, response in _calls(rm_b, doctype, name, method).items():
		assert response.status_code == 403, (route, response.status_code, response.text[:300])
	assert _snapshot(doctype, name) == before


# --- the BRM module-level actions on a document -------------------------------------------------------------


@pytest.fixture(scope="module")
def a1_sign_off(world, committed):
	"""A1's case sent for its customer's sign-off: the open request (committed; removed with the module)."""
	frappe.db.rollback()
	mute_mail(account=False)
	committed.add("Email Account", make_email_account().name)
	case = to_customer_sign_off(frappe.get_doc(CASE, world.records["a1"][CASE]))
	(name,) = open_sign_offs(case)
	for row in case.signatories:
		committed.add("Contact", row.contact)
	frappe.db.commit()  # nosemgrep: the live server reads the committed sign-off; removed below
	yield name
	frappe.db.rollback()
	for doctype, reference in ((SIGN_OFF, name), (CASE, case.name)):
		committed.add_related(doctype, reference)
	with server_write():  # its controller refuses any other deletion
		frappe.delete_doc(SIGN_OFF, name, force=True, ignore_permissions=True, delete_permanently=True)
	frappe.db.commit()  # nosemgrep: removes the sign-off committed above


def _actions(world, sign_off):
	a1 = world.records["a1"]
	return [
		(
			"brm_app.brm_app.doctype.customer_agreement.customer_agreement.renew_agreement",
			{"source_name": a1[AGREEMENT]},
		),
		(
			"brm_app.brm_app.doctype.customer_agreement.customer_agreement.terminate_agreement",
			{"name": a1[AGREEMENT], "reason": "taken over"},
		),
		(
			"brm_app.api.sign_off.decide",
			{
				"sign_off": sign_off,
				"decisions": json.dumps(
					{
						row: {"decision": "Accepted"}
						for row in frappe.get_all(
							"Customer Sign-off Decision", {"parent": sign_off}, pluck="requirement_row"
						)
					}
				),
			},
		),
		("brm_app.api.sign_off.resend", {"sign_off": sign_off}),
		(
			"brm_app.brm_app.doctype.service_opportunity.service_opportunity.make_business_case",
			{"source_name": a1[OPPORTUNITY]},
		),
		("brm_app.integrations.projects.create_project", {"business_case": a1[CASE]}),
		(
			"brm_app.integrations.actions.create_improvement_opportunity",
			{"doctype": SURVEY, "name": a1[SURVEY]},
		),
		("brm_app.api.survey.resend_invitation", {"name": a1[SURVEY]}),
		("brm_app.api.portfolio.get_portfolio_overview", {"portfolio": a1["Customer Portfolio"]}),
	]


@pytest.mark.parametrize("index", range(9))
def test_brm_actions_on_another_managers_record_are_refused(world, rm_b, a1_sign_off, index):
	frappe.db.rollback()
	method, args = _actions(world, a1_sign_off)[index]
	response = rm_b.call(method, **args)
	assert response.status_code == 403, (method, response.status_code, response.text[:300])
	frappe.db.rollback()
	# the request is still open and was not sent again (one e-mail: the first request's)
	assert frappe.db.get_value(SIGN_OFF, a1_sign_off, "status") == "Requested"
	assert frappe.db.count("Email Queue", {"reference_name": a1_sign_off}) == 1
	assert world.marker["a1"] not in response.text


# terminate, decide and resend a sign-off, resend an invitation: actions that write
@pytest.mark.parametrize("index", [1, 2, 3, 7])
def test_brm_write_actions_with_read_only_access_are_refused(
	world, rm_b, read_only_share, a1_sign_off, index
):
	frappe.db.rollback()
	method, args = _actions(world, a1_sign_off)[index]
	response = rm_b.call(method, **args)
	assert response.status_code == 403, (method, response.status_code, response.text[:300])
	frappe.db.rollback()
	# the request is still open and was not sent again (one e-mail: the first request's)
	assert frappe.db.get_value(SIGN_OFF, a1_sign_off, "status") == "Requested"
	assert frappe.db.count("Email Queue", {"reference_name": a1_sign_off}) == 1
