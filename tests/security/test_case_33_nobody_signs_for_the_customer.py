"""Case 33 (docs/security.md): nobody signs for the customer. The relationship manager who prepared a
business case, a BRM Process Manager and a System Manager try every path that could create, change or
delete a customer sign-off, or make a case look signed; each is refused, and the case and its sign-offs are
as the customer left them.

Over HTTP against a real server on loopback. The case waiting for the customer (`waiting`) has two
signatories: one who signs by the e-mailed link and has accepted, and a desk user of the customer whose
sign-off is still open. The Customer Sign-off doctype ships read-only for every role; the record paths are
also tried with a permissive site (`granted`: a Role Permission Manager grant of create / write / delete /
import to the three roles), where only the Customer Sign-off controller
(`brm_app.brm_app.doctype.customer_sign_off.customer_sign_off.refuse_unless_server`) stands in the way.
"""

import csv
import io

import frappe
import pytest
from frappe.core.doctype.data_import.importer import Importer
from frappe.permissions import reset_perms, setup_custom_perms, update_permission_property

from brm_app.signoff import records as rec
from tests.support.factories import make_business_case, make_contact, uid
from tests.support.jobs import queued_site_jobs, run_site_jobs
from tests.support.security import (
	HttpUser,
	exc_type,
	muted_mail,
	refresh,
	workflow_people_fixture,
)
from tests.support.users import as_user
from tests.support.workflow import act, add_signatory, customer_decides, open_sign_offs, to_customer_sign_off

CASE = "Business Case"
SIGN_OFF = rec.SIGN_OFF
DECISION = rec.DECISION
SIGNATORY = "Business Case Signatory"
REQUIREMENT = "Business Case Requirement"
SIGNATORY_ROLE = "BRM Customer Signatory"
ACTORS = ("rm", "pm", "sm")
GRANT_ROLES = ("Business Relationship Manager", "BRM Process Manager", "System Manager")
GRANTED_PTYPES = ("create", "write", "delete", "import")
IN_A_JOB = 20  # frappe runs a bulk action in a background job from this many documents on

people = workflow_people_fixture(
	"c33", sm=("System Manager",), signer=(SIGNATORY_ROLE,), turncoat=(SIGNATORY_ROLE,)
)


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browsers(server, people):
	return {actor: HttpUser(server, getattr(people, actor)) for actor in ACTORS}


@pytest.fixture(scope="module")
def made(committed, people):
	"""The module's cases; their sign-offs, and the customer's contacts, are removed at the end (a sign-off
	cannot be deleted through frappe: that is the point)."""
	names = []
	yield names
	frappe.db.rollback()
	for case in names:
		sign_offs = frappe.get_all(SIGN_OFF, filters={"business_case": case}, pluck="name")
		if sign_offs:
			frappe.db.delete(DECISION, {"parent": ("in", sign_offs)})
			frappe.db.delete(SIGN_OFF, {"name": ("in", sign_offs)})
			frappe.db.delete("ToDo", {"reference_type": SIGN_OFF, "reference_name": ("in", sign_offs)})
			frappe.db.delete("Email Queue", {"reference_name": ("in", sign_offs)})
	for contact in frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": people.customer},
		pluck="parent",
	):
		committed.add("Contact", contact)
	frappe.db.commit()  # nosemgrep: removes the sign-offs this module's cases made on the live server's site


def new_case(committed, people, made, **kw):
	muted_mail()
	with as_user(people.rm):
		case = make_business_case(
			customer=people.customer,
			requirements=[
				{"requirement": "Service desk answers in 1 hour", "requirement_type": "Availability"},
				{
					"requirement": "Monthly report",
					"requirement_type": "Functional",
					"moscow_priority": "Must",
				},
			],
			**kw,
		)
	committed.add(CASE, case.name)
	made.append(case.name)
	return case


def channel_of(name: str) -> str:
	return frappe.db.get_value(SIGN_OFF, name, "channel")


def waiting_case(committed, people, made, signer: str, link_accepts: bool = True):
	"""A case in Customer Sign-off: the link signatory accepted (unless `link_accepts` is false), `signer`
	(desk) has not decided yet."""
	frappe.set_user("Administrator")
	case = new_case(committed, people, made)
	add_signatory(case, user=signer)
	add_signatory(case)
	to_customer_sign_off(case, people.rm)
	sign_offs = open_sign_offs(case)
	(desk,) = [n for n in sign_offs if channel_of(n) == rec.DESK]
	(link,) = [n for n in sign_offs if channel_of(n) == rec.LINK]
	if link_accepts:
		customer_decides(link)
	committed.commit()
	return frappe._dict(case=case.name, desk=desk, accepted=link)


@pytest.fixture(scope="module")
def waiting(committed, people, made):
	return waiting_case(committed, people, made, people.signer)


@pytest.fixture(params=ACTORS)
def actor(request, browsers):
	return request.param, browsers[request.param]


@pytest.fixture(scope="module", params=["shipped", "granted"])
def perms(request, people):
	"""Customer Sign-off as shipped (read-only for every role), or with every provider role granted create,
	write, delete and import (what a System Manager could do in the Role Permission Manager)."""
	if request.param == "granted":
		refresh()
		setup_custom_perms(SIGN_OFF)
		for role in GRANT_ROLES:
			for ptype in GRANTED_PTYPES:
				update_permission_property(SIGN_OFF, role, 0, ptype, 1, validate=False)
		frappe.clear_cache(doctype=SIGN_OFF)
		frappe.db.commit()  # nosemgrep: the live server reads the permissions from the database
	yield request.param
	if request.param == "granted":
		refresh()
		reset_perms(SIGN_OFF)
		frappe.clear_cache(doctype=SIGN_OFF)
		frappe.db.commit()  # nosemgrep: puts the shipped permissions back


def v2_exc_type(response) -> str | None:
	"""The exception type of a REST v2 answer ({"errors": [{"type": ...}]})."""
	errors = response.json().get("errors") or [{}]
	return errors[0].get("type")


def refused(perms: str) -> tuple[int, str]:
	"""The answer to a write of a sign-off: frappe's permission check as shipped, the controller when the
	roles were granted the right."""
	return (403, "PermissionError") if perms == "shipped" else (403, "SignOffWriteError")


def sign_off_state(name: str) -> tuple:
	refresh()
	row = frappe.db.get_value(SIGN_OFF, name, ["status", "decided_on", "decided_by", "modified"])
	decisions = frappe.get_all(
		DECISION, filters={"parent": name}, fields=["name", "decision"], order_by="idx", as_list=True
	)
	return (tuple(row) if row else None, [tuple(d) for d in decisions])


def case_state(name: str) -> tuple:
	refresh()
	case = frappe.get_doc(CASE, name)
	return (
		case.workflow_state,
		case.docstatus,
		[(r.name, r.signed_off_by, r.signed_off_on, r.sign_off_evidence) for r in case.requirements],
		[(s.contact, s.sign_off_status, s.signed_off_on) for s in case.signatories],
		sorted(
			frappe.get_all(SIGN_OFF, filters={"business_case": name}, fields=["name", "status"], as_list=True)
		),
	)


def assert_untouched(waiting, before_case, before_desk, before_accepted):
	assert case_state(waiting.case) == before_case
	assert sign_off_state(waiting.desk) == before_desk
	assert sign_off_state(waiting.accepted) == before_accepted
	assert before_case[0] == "Customer Sign-off"
	assert all(row[1] is None and row[2] is None for row in before_case[2])  # nothing signed yet
	assert before_desk[0][0] == rec.REQUESTED and before_accepted[0][0] == rec.ACCEPTED


@pytest.fixture
def snapshot(waiting):
	before = (case_state(waiting.case), sign_off_state(waiting.desk), sign_off_state(waiting.accepted))
	yield before
	assert_untouched(waiting, *before)


def accepted_decisions(name: str) -> list[dict]:
	refresh()
	return [
		{"name": d.name, "requirement_row": d.requirement_row, "decision": "Accepted"}
		for d in frappe.get_doc(SIGN_OFF, name).decisions
	]


def forged_sign_off(waiting, people) -> dict:
	"""A complete Accepted sign-off for the desk signatory, as if the customer had decided."""
	refresh()
	source = frappe.get_doc(SIGN_OFF, waiting.desk).as_dict(convert_dates_to_str=True)
	doc = {
		k: v
		for k, v in source.items()
		if k not in ("name", "owner", "creation", "modified", "modified_by", "idx", "docstatus")
	}
	doc.update(
		status="Accepted",
		decided_on="2026-01-01 10:00:00",
		decided_by=people.signer,
		token_hash=None,
		decisions=[
			{
				k: v
				for k, v in {**row, "decision": "Accepted"}.items()
				if k not in ("name", "parent", "owner", "creation", "modified", "modified_by")
			}
			for row in source["decisions"]
		],
	)
	return doc


# --- the sign-off records: create, change, delete ----------------------------------------------------


def test_a_rest_v1_post_of_a_sign_off_is_refused(perms, actor, waiting, people, snapshot):
	_, browser = actor
	response = browser.resource("POST", SIGN_OFF, json=forged_sign_off(waiting, people))
	assert (response.status_code, exc_type(response)) == refused(perms), response.text[:500]


def test_a_rest_v2_post_of_a_sign_off_is_refused(perms, actor, waiting, people, snapshot):
	_, browser = actor
	response = browser.session.post(
		f"{browser.url}/api/v2/document/{SIGN_OFF}",
		json=forged_sign_off(waiting, people),
		headers=browser._headers(),
		timeout=120,
	)
	assert (response.status_code, v2_exc_type(response)) == refused(perms), response.text[:500]


def test_frappe_client_insert_of_a_sign_off_is_refused(perms, actor, waiting, people, snapshot):
	_, browser = actor
	response = browser.call(
		"frappe.client.insert", doc={"doctype": SIGN_OFF, **forged_sign_off(waiting, people)}
	)
	assert (response.status_code, exc_type(response)) == refused(perms), response.text[:500]


def test_a_rest_put_accepting_an_open_sign_off_is_refused(perms, actor, waiting, people, snapshot):
	_, browser = actor
	body = {"status": "Accepted", "decided_by": people.signer, "decisions": accepted_decisions(waiting.desk)}
	response = browser.resource("PUT", SIGN_OFF, waiting.desk, json=body)
	assert (response.status_code, exc_type(response)) == refused(perms), response.text[:500]
	v2 = browser.session.patch(
		f"{browser.url}/api/v2/document/{SIGN_OFF}/{waiting.desk}",
		json=body,
		headers=browser._headers(),
		timeout=120,
	)
	assert (v2.status_code, v2_exc_type(v2)) == refused(perms), v2.text[:500]


def test_the_desk_form_save_of_an_accepted_sign_off_is_refused(perms, actor, waiting, snapshot):
	_, browser = actor
	refresh()
	doc = frappe.get_doc(SIGN_OFF, waiting.desk).as_dict(convert_dates_to_str=True)
	doc["status"] = "Accepted"
	for row in doc["decisions"]:
		row["decision"] = "Accepted"
	response = browser.call("frappe.desk.form.save.savedocs", doc=frappe.as_json(doc), action="Save")
	assert (response.status_code, exc_type(response)) == refused(perms), response.text[:500]


def test_set_value_on_a_sign_off_or_its_decision_is_refused(perms, actor, waiting, snapshot):
	_, browser = actor
	status = browser.call(
		"frappe.client.set_value", doctype=SIGN_OFF, name=waiting.desk, fieldname="status", value="Accepted"
	)
	assert (status.status_code, exc_type(status)) == refused(perms), status.text[:500]
	refresh()
	row = frappe.get_doc(SIGN_OFF, waiting.desk).decisions[0].name
	decision = browser.call(
		"frappe.client.set_value", doctype=DECISION, name=row, fieldname="decision", value="Accepted"
	)
	assert (decision.status_code, exc_type(decision)) == refused(perms), decision.text[:500]
	# and a decision the customer took cannot be turned round
	refresh()
	taken = frappe.get_doc(SIGN_OFF, waiting.accepted).decisions[0].name
	reverse = browser.call(
		"frappe.client.set_value", doctype=DECISION, name=taken, fieldname="decision", value="Rejected"
	)
	assert (reverse.status_code, exc_type(reverse)) == refused(perms), reverse.text[:500]


def test_deleting_a_sign_off_is_refused(perms, actor, waiting, snapshot):
	_, browser = actor
	for name in (waiting.desk, waiting.accepted):
		response = browser.resource("DELETE", SIGN_OFF, name)
		assert (response.status_code, exc_type(response)) == refused(perms), response.text[:500]
		client = browser.call("frappe.client.delete", doctype=SIGN_OFF, name=name)
		assert (client.status_code, exc_type(client)) == refused(perms), client.text[:500]


def test_bulk_delete_of_sign_offs_deletes_nothing(perms, actor, waiting, snapshot):
	_, browser = actor
	response = browser.call(
		"frappe.desk.reportview.delete_items", doctype=SIGN_OFF, items=[waiting.desk, waiting.accepted]
	)
	assert response.status_code == 200, response.text[:500]  # frappe reports failures aside
	assert sign_off_state(waiting.desk)[0] is not None and sign_off_state(waiting.accepted)[0] is not None


def test_deleting_a_decision_row_is_refused(perms, actor, waiting, snapshot):
	_, browser = actor
	refresh()
	rows = [d.name for d in frappe.get_doc(SIGN_OFF, waiting.accepted).decisions]
	bulk = browser.call("frappe.desk.reportview.delete_items", doctype=DECISION, items=rows[:1])
	assert bulk.status_code == 200, bulk.text[:500]
	client = browser.call("frappe.client.delete", doctype=DECISION, name=rows[0])
	assert (client.status_code, exc_type(client)) == refused(perms), client.text[:500]
	resource = browser.resource("DELETE", DECISION, rows[0])
	assert resource.status_code == 403, resource.text[:500]


def test_a_bulk_update_of_sign_offs_changes_nothing(perms, actor, waiting, snapshot):
	_, browser = actor
	response = browser.call(
		"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs",
		doctype=SIGN_OFF,
		docnames=[waiting.desk],
		action="update",
		data={"status": "Accepted"},
	)
	assert response.status_code == 200, response.text[:500]  # failures are reported in the message
	assert response.json()["message"] == [waiting.desk], response.text[:500]


# a sign-off is not submittable (frappe refuses submit and cancel itself); a rename reaches the controller
# even as shipped (frappe checks no write right before `before_rename`)
RUN_DOC_METHOD = {
	("shipped", "submit"): (403, "PermissionError"),
	("shipped", "cancel"): (403, "PermissionError"),
	("shipped", "rename"): (403, "SignOffWriteError"),
	("granted", "submit"): (403, "PermissionError"),
	("granted", "cancel"): (417, "DocstatusTransitionError"),
	("granted", "rename"): (403, "SignOffWriteError"),
}


@pytest.mark.parametrize("method", ["submit", "cancel", "rename"])
def test_run_doc_method_on_a_sign_off_is_refused(perms, actor, waiting, snapshot, method):
	_, browser = actor
	refresh()
	doc = frappe.get_doc(SIGN_OFF, waiting.desk).as_dict(convert_dates_to_str=True)
	doc["status"] = "Accepted"
	for row in doc["decisions"]:
		row["decision"] = "Accepted"
	args = {"name": uid("CSO-FORGED-")} if method == "rename" else None
	response = browser.call("run_doc_method", method=method, docs=frappe.as_json(doc), args=args)
	assert (response.status_code, exc_type(response)) == RUN_DOC_METHOD[(perms, method)], response.text[:500]
	by_name = browser.call("run_doc_method", method=method, dt=SIGN_OFF, dn=waiting.desk, args=args)
	assert (by_name.status_code, exc_type(by_name)) == RUN_DOC_METHOD[(perms, method)], by_name.text[:500]


# --- Data Import -------------------------------------------------------------------------------------


def _import(committed, user: str, rows: list[list], import_type: str) -> list:
	"""Import `rows` into Customer Sign-off as `user` (the background job's Importer, run here)."""
	buffer = io.StringIO()
	csv.writer(buffer).writerows(rows)
	refresh()
	frappe.set_user("Administrator")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{uid('c33-import-')}.csv",
			"content": buffer.getvalue().encode(),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	committed.add("File", file.name)
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": SIGN_OFF,
			"import_type": import_type,
			"import_file": file.file_url,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the importer commits row by row; the records are removed below
	try:
		frappe.set_user(user)
		Importer(SIGN_OFF, data_import=data_import).import_data()
		frappe.db.commit()  # nosemgrep: as the background job does when it ends
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
	logs = frappe.get_all(
		"Data Import Log",
		filters={"data_import": data_import.name},
		fields=["success", "docname", "exception", "messages"],
	)
	frappe.db.delete("Data Import Log", {"data_import": data_import.name})
	frappe.db.delete("Data Import", data_import.name)
	frappe.db.commit()  # nosemgrep: removes the import record
	return logs


@pytest.mark.parametrize("user_key", ["rm", "pm", "sm"])
def test_a_data_import_of_sign_offs_records_nothing(committed, perms, people, waiting, snapshot, user_key):
	user = getattr(people, user_key)
	refresh()
	source = frappe.get_doc(SIGN_OFF, waiting.desk)
	inserted = _import(
		committed,
		user,
		[
			[
				"Business Case",
				"Portfolio",
				"Purpose",
				"Status",
				"Signatory Contact",
				"Signatory Name",
				"Channel",
				"Decided On",
			],
			[
				waiting.case,
				source.portfolio,
				"Requirements",
				"Accepted",
				source.signatory_contact,
				"Forged",
				"Desk",
				"2026-01-01",
			],
		],
		"Insert New Records",
	)
	assert [log.success for log in inserted] == [0], inserted
	expected = "PermissionError" if perms == "shipped" else "SignOffWriteError"
	assert expected in (inserted[0].exception or ""), inserted
	updated = _import(
		committed,
		user,
		[["ID", "Status", "Decided By"], [waiting.desk, "Accepted", people.signer]],
		"Update Existing Records",
	)
	assert [log.success for log in updated] == [0], updated
	assert expected in (updated[0].exception or ""), updated
	refresh()
	assert frappe.db.count(SIGN_OFF, {"business_case": waiting.case}) == 2


# --- the case: signed rows, its state, the system steps ------------------------------------------------


def signed_rows(case: str, people) -> list[dict]:
	refresh()
	rows = frappe.get_doc(CASE, case).as_dict(convert_dates_to_str=True)["requirements"]
	for row in rows:
		row.update(
			signed_off_by="The Customer", signed_off_on="2026-01-01 10:00:00", sign_off_evidence="CSO-FORGED"
		)
	return rows


def accepted_signatories(case: str) -> list[dict]:
	refresh()
	rows = frappe.get_doc(CASE, case).as_dict(convert_dates_to_str=True)["signatories"]
	for row in rows:
		row.update(sign_off_status="Accepted", signed_off_on="2026-01-01 10:00:00")
	return rows


# a PUT of the result fields alone changes no content: frozen Customer Sign-off lets it through, and the
# controller recomputes them from the records
PUT_ROWS = {"rm": (200, None), "pm": (200, None), "sm": (200, None)}


def test_a_put_of_signed_requirement_rows_is_overwritten(actor, waiting, people, snapshot):
	key, browser = actor
	response = browser.resource(
		"PUT",
		CASE,
		waiting.case,
		json={
			"requirements": signed_rows(waiting.case, people),
			"signatories": accepted_signatories(waiting.case),
		},
	)
	assert (response.status_code, exc_type(response)) == PUT_ROWS[key], response.text[:500]


def test_the_desk_form_save_of_signed_rows_is_overwritten(actor, waiting, people, snapshot):
	key, browser = actor
	refresh()
	doc = frappe.get_doc(CASE, waiting.case).as_dict(convert_dates_to_str=True)
	doc["requirements"] = signed_rows(waiting.case, people)
	doc["signatories"] = accepted_signatories(waiting.case)
	response = browser.call("frappe.desk.form.save.savedocs", doc=frappe.as_json(doc), action="Save")
	assert (response.status_code, exc_type(response)) == PUT_ROWS[key], response.text[:500]


def test_set_value_on_a_requirement_or_signatory_row_is_overwritten(actor, waiting, snapshot):
	key, browser = actor
	refresh()
	case = frappe.get_doc(CASE, waiting.case)
	row = browser.call(
		"frappe.client.set_value",
		doctype=REQUIREMENT,
		name=case.requirements[0].name,
		fieldname={"signed_off_by": "The Customer", "signed_off_on": "2026-01-01 10:00:00"},
	)
	assert (row.status_code, exc_type(row)) == PUT_ROWS[key], row.text[:500]
	signatory = next(s for s in case.signatories if s.sign_off_status == rec.REQUESTED)
	status = browser.call(
		"frappe.client.set_value",
		doctype=SIGNATORY,
		name=signatory.name,
		fieldname="sign_off_status",
		value="Accepted",
	)
	assert (status.status_code, exc_type(status)) == PUT_ROWS[key], status.text[:500]


# the system step Customer Sign-off -> Pending Approval is nobody's to take
STATE_REFUSED = dict.fromkeys(ACTORS, (417, "ApprovalTransitionError"))


def test_set_value_of_the_workflow_state_to_pending_approval_is_refused(actor, waiting, snapshot):
	key, browser = actor
	response = browser.call(
		"frappe.client.set_value",
		doctype=CASE,
		name=waiting.case,
		fieldname="workflow_state",
		value="Pending Approval",
	)
	assert (response.status_code, exc_type(response)) == STATE_REFUSED[key], response.text[:500]
	with_rows = browser.resource(
		"PUT",
		CASE,
		waiting.case,
		json={"workflow_state": "Pending Approval", "requirements": signed_rows(waiting.case, None)},
	)
	assert (with_rows.status_code, exc_type(with_rows)) == STATE_REFUSED[key], with_rows.text[:500]


# the site's Workflow names only Administrator for a system step: apply_action refuses every other role
APPLY_REFUSED = dict.fromkeys(ACTORS, (417, "ApprovalRoleError"))


@pytest.mark.parametrize("action", ["Customer Accepted", "Customer Rejected"])
def test_apply_action_with_a_system_step_is_refused(actor, waiting, snapshot, action):
	key, browser = actor
	response = browser.call(
		"brm_app.api.approvals.apply_action",
		doctype=CASE,
		docname=waiting.case,
		action=action,
		comment="The customer told me on the phone",
	)
	assert (response.status_code, exc_type(response)) == APPLY_REFUSED[key], response.text[:500]


@pytest.mark.parametrize("copies", [1, 20], ids=["in-the-request", "in-a-job"])
def test_bulk_approval_with_the_system_step_moves_nothing(site, actor, waiting, snapshot, copies):
	"""brm_app.approvals.bulk's bulk approval (frappe's replaced): up to 19 documents in the request, from
	20 on in a checked job, which is run here to the end."""
	_, browser = actor
	run_site_jobs(site)  # nothing of an earlier test left in the queue
	response = browser.call(
		"frappe.model.workflow.bulk_workflow_approval",
		docnames=[waiting.case] * copies,
		doctype=CASE,
		action="Customer Accepted",
	)
	assert response.status_code == 200, response.text[:500]  # frappe reports each failure aside
	queued = ["brm_app.approvals.bulk.run_checked"] if copies >= IN_A_JOB else []
	assert queued_site_jobs(site) == queued
	assert run_site_jobs(site) == len(queued)


def test_run_doc_method_submit_of_the_case_is_refused(actor, waiting, people, snapshot):
	key, browser = actor
	refresh()
	doc = frappe.get_doc(CASE, waiting.case).as_dict(convert_dates_to_str=True)
	doc.update(workflow_state="Approved", requirements=signed_rows(waiting.case, people))
	response = browser.call("run_doc_method", method="submit", docs=frappe.as_json(doc))
	assert (response.status_code, exc_type(response)) == SUBMIT_REFUSED[key], response.text[:500]
	by_name = browser.call("run_doc_method", method="submit", dt=CASE, dn=waiting.case)
	assert (by_name.status_code, exc_type(by_name)) == SUBMIT_REFUSED[key], by_name.text[:500]


# a relationship manager holds no submit right; for the others the guard finds no step to Approved
SUBMIT_REFUSED = {
	"rm": (403, "PermissionError"),
	"pm": (417, "ApprovalTransitionError"),
	"sm": (417, "ApprovalTransitionError"),
}


def test_even_the_administrator_cannot_take_the_customers_step(waiting, snapshot):
	"""The system steps are nobody's: they are not on the site's Workflow (frappe offers no such action,
	even to Administrator), and a save that sets the state meets the guard, which takes them only inside
	brm_app's own `system_step`."""
	from frappe.client import set_value
	from frappe.model.workflow import WorkflowTransitionError

	from brm_app.api.approvals import apply_action
	from brm_app.exceptions import ApprovalTransitionError

	refresh()
	frappe.set_user("Administrator")
	try:
		with pytest.raises(WorkflowTransitionError):
			apply_action(CASE, waiting.case, "Customer Accepted", comment="Signed on paper")
		frappe.db.rollback()
		with pytest.raises(ApprovalTransitionError, match="no such workflow step"):
			set_value(CASE, waiting.case, "workflow_state", "Pending Approval")
	finally:
		frappe.db.rollback()


# --- the desk decision -----------------------------------------------------------------------------


def decisions_for(name: str, decision: str = "Accepted") -> dict:
	refresh()
	return {
		row.requirement_row: {"decision": decision, "comment": None}
		for row in frappe.get_doc(SIGN_OFF, name).decisions
	}


def test_the_desk_decision_of_the_signatorys_sign_off_by_another_is_refused(actor, waiting, snapshot):
	_, browser = actor
	response = browser.call(
		"brm_app.api.sign_off.decide", sign_off=waiting.desk, decisions=decisions_for(waiting.desk)
	)
	assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text[:500]


def test_a_signatory_who_became_a_provider_cannot_decide(committed, people, made, server):
	"""The desk signatory is given a provider role after the request was sent (their user is the
	relationship manager's too, say): their own sign-off is refused to them."""
	turned = waiting_case(committed, people, made, people.turncoat, link_accepts=False)
	frappe.set_user("Administrator")
	user = frappe.get_doc("User", people.turncoat)
	user.add_roles("Business Relationship Manager")
	frappe.db.commit()  # nosemgrep: the live server reads the user's roles
	try:
		browser = HttpUser(server, people.turncoat)
		response = browser.call(
			"brm_app.api.sign_off.decide", sign_off=turned.desk, decisions=decisions_for(turned.desk)
		)
		assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text[:500]
		assert sign_off_state(turned.desk)[0][0] == rec.REQUESTED
		assert case_state(turned.case)[0] == "Customer Sign-off"
	finally:
		refresh()
		frappe.get_doc("User", people.turncoat).remove_roles("Business Relationship Manager")
		frappe.db.commit()  # nosemgrep: puts the user's roles back


def test_the_signatory_decides_their_own_sign_off(committed, people, made, server):
	"""The same call by the customer's desk signatory records their decision: the refusals above are about
	who calls, not about the endpoint. (The other signatory has not decided yet, so the case waits.)"""
	own = waiting_case(committed, people, made, people.signer, link_accepts=False)
	browser = HttpUser(server, people.signer)
	response = browser.call(
		"brm_app.api.sign_off.decide", sign_off=own.desk, decisions=decisions_for(own.desk)
	)
	assert response.status_code == 200, response.text[:500]
	assert sign_off_state(own.desk)[0][0] == rec.ACCEPTED
	assert frappe.db.get_value(SIGN_OFF, own.desk, "decided_by") == people.signer
	state = case_state(own.case)
	assert state[0] == "Customer Sign-off"
	signatory = frappe.db.get_value(SIGNATORY, {"parent": own.case, "user": people.signer}, "sign_off_status")
	assert signatory == rec.ACCEPTED


# --- who may be named -------------------------------------------------------------------------------


def stakeholder_contact(committed, people, **contact) -> str:
	"""A contact of the customer, made a Signs Off stakeholder of the portfolio (committed)."""
	refresh()
	frappe.set_user("Administrator")
	doc = make_contact(people.customer, **contact)
	committed.add("Contact", doc.name)
	portfolio = frappe.get_doc("Customer Portfolio", people.portfolio)
	portfolio.append(
		"stakeholders",
		{"contact": doc.name, "stakeholder_role": "Decision Maker", "signs_off_requirements": 1},
	)
	portfolio.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the live server reads the stakeholder
	return doc.name


@pytest.fixture(scope="module")
def draft(committed, people, made):
	refresh()
	frappe.set_user("Administrator")
	case = new_case(committed, people, made)
	committed.commit()
	return case.name


@pytest.mark.parametrize(
	"who",
	[
		pytest.param(lambda p: {"user": p.rm, "email": p.rm}, id="preparers-user"),
		pytest.param(lambda p: {"email": p.rm.upper()}, id="preparers-email"),
		pytest.param(lambda p: {"user": p.pm, "email": p.pm}, id="process-managers-user"),
		pytest.param(lambda p: {"email": p.pm}, id="process-managers-email"),
		pytest.param(lambda p: {"user": p.sm, "email": p.sm}, id="system-managers-user"),
		pytest.param(lambda p: {"email": p.sm}, id="system-managers-email"),
	],
)
def test_the_preparer_or_a_provider_user_cannot_be_named_signatory(committed, people, browsers, draft, who):
	contact = stakeholder_contact(committed, people, **who(people))
	response = browsers["rm"].resource("PUT", CASE, draft, json={"signatories": [{"contact": contact}]})
	assert (response.status_code, exc_type(response)) == (417, "SignatoryError"), response.text[:500]
	refresh()
	assert frappe.get_all(SIGNATORY, filters={"parent": draft}, pluck="contact") == []


def test_a_signatory_row_cannot_be_removed_while_the_customer_signs(actor, waiting, snapshot):
	key, browser = actor
	refresh()
	rows = frappe.get_all(SIGNATORY, filters={"parent": waiting.case}, pluck="name")
	bulk = browser.call("frappe.desk.reportview.delete_items", doctype=SIGNATORY, items=rows[:1])
	assert bulk.status_code == 200, bulk.text[:500]
	client = browser.call("frappe.client.delete", doctype=SIGNATORY, name=rows[0])
	assert (client.status_code, exc_type(client)) == REMOVE_SIGNATORY[key], client.text[:500]


REMOVE_SIGNATORY = dict.fromkeys(ACTORS, (417, "ApprovalLockedError"))


# --- amendment ---------------------------------------------------------------------------------------


def test_an_amendment_carries_no_sign_off(committed, people, made, browsers):
	"""Cancel an approved case and amend it with its rows as they were (signed): the amendment is
	unsigned, has no sign-offs, and sending it for sign-off asks every signatory again."""
	from tests.support.workflow import approve_business_case

	refresh()
	frappe.set_user("Administrator")
	case = new_case(committed, people, made)
	case = approve_business_case(case, manager=people.pm)
	case = act(case, "Cancel", people.pm, comment="Scope changes: amend")
	committed.commit()
	assert (case.workflow_state, case.docstatus) == ("Cancelled", 2)
	old = frappe.get_doc(CASE, case.name).as_dict(convert_dates_to_str=True)
	assert all(row["signed_off_by"] and row["signed_off_on"] for row in old["requirements"])
	body = {
		k: v
		for k, v in old.items()
		if k not in ("name", "owner", "creation", "modified", "modified_by", "docstatus", "workflow_state")
	}
	body["amended_from"] = case.name
	for table in ("requirements", "signatories", "costs", "benefits"):
		body[table] = [
			{k: v for k, v in row.items() if k not in ("name", "parent", "creation", "modified")}
			for row in old[table]
		]
	response = browsers["rm"].resource("POST", CASE, json=body)
	assert response.status_code == 200, response.text[:500]
	amended = response.json()["data"]["name"]
	committed.add(CASE, amended)
	made.append(amended)
	state = case_state(amended)
	assert state[0] == "Draft"
	assert all(row[1] is None and row[2] is None and row[3] is None for row in state[2]), state
	assert all(s[1] is None for s in state[3]) and state[4] == [], state
	for action in ("Submit for Review", "Send for Customer Sign-off"):
		sent = browsers["rm"].call(
			"brm_app.api.approvals.apply_action", doctype=CASE, docname=amended, action=action
		)
		assert sent.status_code == 200, sent.text[:500]
	state = case_state(amended)
	assert state[0] == "Customer Sign-off"
	assert [status for _name, status in state[4]] == [rec.REQUESTED] * len(old["signatories"])


# --- the case itself deleted --------------------------------------------------------------------------


def test_a_case_with_sign_offs_cannot_be_deleted(committed, people, made, browsers):
	"""Withdrawn to Draft, the case could be deleted by its preparer, and with it the customer's record of
	what they decided (and a new case could take its name): frappe's link check keeps it."""
	withdrawn = waiting_case(committed, people, made, people.signer)
	back = browsers["rm"].call(
		"brm_app.api.approvals.apply_action",
		doctype=CASE,
		docname=withdrawn.case,
		action="Withdraw",
		comment="Rework the requirements",
	)
	assert back.status_code == 200, back.text[:500]
	before = case_state(withdrawn.case)
	assert before[0] == "Draft"
	assert sorted(status for _name, status in before[4]) == [rec.ACCEPTED, rec.WITHDRAWN]
	answers = {}
	for actor in ACTORS:
		response = browsers[actor].resource("DELETE", CASE, withdrawn.case)
		answers[actor] = (response.status_code, exc_type(response))
	assert answers == DELETE_CASE, answers
	assert case_state(withdrawn.case) == before


# a relationship manager holds no delete right on Business Case; the others meet frappe's link check
DELETE_CASE = {
	"rm": (403, "PermissionError"),
	"pm": (417, "LinkExistsError"),
	"sm": (417, "LinkExistsError"),
}
