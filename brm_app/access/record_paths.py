"""Row-level access on the frappe 15 paths that reach a BRM record by name without checking it.

Found by the endpoint sweep (tests/security/test_frappe_endpoint_sweep.py; docs/security.md lists each
method, what it did and the fix). Two kinds of fix:

- document events on the records these paths write (Comment, Document Follow): `check_linked_record`
  refuses a comment, like or follow of a BRM record the user may not read, on every path (frappe's
  website `add_comment` and `like`, `frappe.desk.like.toggle_like`, `follow_document` insert them with
  ignore_permissions and no check of the record);
- permission-checked replacements of whitelisted methods (hooks.override_whitelisted_methods) that read
  or write a record's columns directly: link titles, tags, the followers list, relinking a
  communication, and "linked with" (whose permission check result frappe ignores).
"""

import frappe
from frappe import _

from brm_app.access.rules import RESTRICTED_DOCTYPES, restricted_user


def _is_brm(doctype) -> bool:
	return isinstance(doctype, str) and doctype in RESTRICTED_DOCTYPES


def _refuse(doctype: str, name) -> None:
	frappe.throw(
		_("You may not access {0} {1}.").format(_(doctype), frappe.bold(name)),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def require(doctype: str, name, ptype: str = "read", user: str | None = None) -> None:
	"""Throw PermissionError unless `user` may `ptype` the BRM record doctype/name (others: frappe decides)."""
	if not _is_brm(doctype):
		return
	user = user or frappe.session.user
	if not restricted_user(user):
		return
	if not (isinstance(name, str | int) and frappe.db.exists(doctype, name)):
		_refuse(doctype, name)
	if not frappe.has_permission(doctype, ptype, doc=name, user=user):
		_refuse(doctype, name)


def _checked(frappe_method: str, doctype, name):
	"""Frappe's own `frappe_method(doctype, name)`, once the user may read the record."""
	require(doctype, name)
	return frappe.get_attr(frappe_method)(doctype, name)


# --- document events ------------------------------------------------------------------------------------

LINK_FIELDS = {
	"Comment": ("reference_doctype", "reference_name"),
	"Document Follow": ("ref_doctype", "ref_docname"),
}


def in_system_step(doctype: str, name: str) -> bool:
	from brm_app.approvals.guard import in_system_step as guard_in_system_step

	return guard_in_system_step(doctype, name)


def check_linked_record(doc, method: str | None = None) -> None:
	"""A Comment (comment, like, …) or Document Follow of a BRM record: the session user (and the follower)
	must be able to read the record."""
	doctype_field, name_field = LINK_FIELDS[doc.doctype]
	doctype, name = doc.get(doctype_field), doc.get(name_field)
	if not _is_brm(doctype) or frappe.session.user == "Guest":
		return
	if doc.doctype == "Comment" and doc.get("comment_type") == "Deleted":
		return  # frappe's note of a deletion, made after the record is gone
	if doc.doctype == "Comment" and in_system_step(doctype, name):
		# the timeline entry of a workflow step brm_app's code takes (a customer signatory's decision
		# moving the case on): the signatory may not read the case, the entry is the system's
		return
	require(doctype, name)
	if doc.doctype == "Document Follow" and doc.get("user"):
		require(doctype, name, user=doc.user)


# --- replaced whitelisted methods -----------------------------------------------------------------------


@frappe.whitelist()
def get_link_title(doctype: str, docname: str | int) -> str | None:
	"""frappe.desk.search.get_link_title: the title of any record by name, unchecked."""
	return _checked("frappe.desk.search.get_link_title", doctype, docname)


@frappe.whitelist()
def add_tag(tag: str, dt: str, dn: str | int, color: str | None = None) -> str:
	"""frappe.desk.doctype.tag.tag.add_tag: writes `_user_tags` of any record, unchecked."""
	require(dt, dn, "write")
	from frappe.desk.doctype.tag.tag import add_tag as frappe_add_tag

	return frappe_add_tag(tag, dt, dn, color)


@frappe.whitelist()
def add_tags(tags: str | list, dt: str, docs: str | list, color: str | None = None) -> None:
	for name in frappe.parse_json(docs) or []:
		require(dt, name, "write")
	from frappe.desk.doctype.tag.tag import add_tags as frappe_add_tags

	return frappe_add_tags(tags, dt, docs, color)


@frappe.whitelist()
def remove_tag(tag: str, dt: str, dn: str | int) -> None:
	require(dt, dn, "write")
	from frappe.desk.doctype.tag.tag import remove_tag as frappe_remove_tag

	return frappe_remove_tag(tag, dt, dn)


@frappe.whitelist()
def get_tagged_docs(doctype: str, tag: str) -> list:
	"""frappe.desk.doctype.tag.tag.get_tagged_docs: names of every tagged record (query builder, no
	row-level rule); here through get_list, which applies it."""
	from frappe.desk.doctype.tag.tag import get_tagged_docs as frappe_get_tagged_docs

	if not _is_brm(doctype):
		return frappe_get_tagged_docs(doctype, tag)
	frappe.has_permission(doctype, throw=True)
	return frappe.get_list(doctype, filters={"_user_tags": ("like", tag)}, fields=["name"], as_list=True)


@frappe.whitelist()
def get_follow_users(doctype: str, doc_name: str | int) -> list:
	"""frappe.desk.form.document_follow.get_follow_users: who follows any record, unchecked."""
	return _checked("frappe.desk.form.document_follow.get_follow_users", doctype, doc_name)


@frappe.whitelist()
def linked_with_get(doctype: str, docname: str | int) -> dict:
	"""frappe.desk.form.linked_with.get: frappe computes the permission and ignores the answer."""
	return _checked("frappe.desk.form.linked_with.get", doctype, docname)


@frappe.whitelist()
def relink(name: str, reference_doctype: str | None = None, reference_name: str | None = None) -> None:
	"""frappe.email.relink: an SQL update of any communication's reference, unchecked: a relationship
	manager could move another manager's e-mail onto their own record, or put one on theirs."""
	if restricted_user(frappe.session.user):
		current = frappe.db.get_value(
			"Communication", name, ["reference_doctype", "reference_name"], as_dict=True
		)
		if not current:
			_refuse("Communication", name)
		if not frappe.has_permission("Communication", "read", doc=name):
			_refuse("Communication", name)
		if current.reference_doctype and current.reference_name:
			require(current.reference_doctype, current.reference_name, "write")
		if reference_doctype and reference_name:
			require(reference_doctype, reference_name, "write")
	from frappe.email import relink as frappe_relink

	return frappe_relink(name, reference_doctype, reference_name)


@frappe.whitelist()
def is_document_amended(doctype: str, docname: str | int) -> str | bool | None:
	"""frappe.client.is_document_amended: checks the doctype, not the record."""
	return _checked("frappe.client.is_document_amended", doctype, docname)


@frappe.whitelist()
def unlock_document(
	doctype: str | None = None, name: str | int | None = None, args: str | dict | None = None
) -> None:
	"""frappe.model.document.unlock_document: unlocks any document, unchecked."""
	if not doctype and not name and args:
		parsed = frappe.parse_json(args)
		doctype, name = parsed.get("doctype"), parsed.get("name")
	require(doctype, name, "write")
	from frappe.model.document import unlock_document as frappe_unlock_document

	return frappe_unlock_document(doctype, name)


@frappe.whitelist()
def get_latest_submissions(doctype: str, docname: str | int) -> dict:
	"""frappe.core.doctype.submission_queue.submission_queue.get_latest_submissions: a record's queued
	submission (with its traceback), unchecked."""
	return _checked(
		"frappe.core.doctype.submission_queue.submission_queue.get_latest_submissions", doctype, docname
	)


@frappe.whitelist()
def get_reviews(doctype: str, docname: str | int) -> list:
	"""frappe.social.doctype.energy_point_log.energy_point_log.get_reviews: a record's reviews, unchecked."""
	return _checked("frappe.social.doctype.energy_point_log.energy_point_log.get_reviews", doctype, docname)


@frappe.whitelist()
def get_workflow_state_count(doctype: str, workflow_state_field: str, states: str | list) -> list | None:
	"""frappe.workflow.doctype.workflow.workflow.get_workflow_state_count: counts every record (get_all);
	for BRM records the same counts through get_list, which applies row-level access."""
	from frappe.workflow.doctype.workflow.workflow import (
		get_workflow_state_count as frappe_get_workflow_state_count,
	)

	if not _is_brm(doctype) or not restricted_user(frappe.session.user):
		return frappe_get_workflow_state_count(doctype, workflow_state_field, states)
	frappe.has_permission(doctype=doctype, ptype="read", throw=True)
	states = frappe.parse_json(states)
	if workflow_state_field not in frappe.get_meta(doctype).get_valid_columns():
		return None
	result = frappe.get_list(
		doctype,
		fields=[workflow_state_field, "count(*) as count"],
		filters={workflow_state_field: ["not in", states]},
		group_by=workflow_state_field,
	)
	return [row for row in result if row[workflow_state_field]]


@frappe.whitelist(allow_guest=True)  # as frappe's: public files download without a login
def download_file(file_url: str) -> None:
	"""frappe.handler.download_file: its refusal names the record the file belongs to (frappe's permission
	log), which a caller holding only the URL must not learn; the refusal stays, the message goes."""
	from frappe.handler import download_file as frappe_download_file

	try:
		return frappe_download_file(file_url)
	except frappe.PermissionError:
		frappe.clear_messages()
		raise
