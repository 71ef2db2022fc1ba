"""Files attached to BRM records follow the record's row-level access (docs/security.md, case 27).

frappe 15 lets any desk user with read on a doctype list every File attached to records of that doctype
(its File query condition checks the doctype, not the record), and lets anyone create a File row of their
own that points at an existing `file_url`: the owner of a File may download it, so copying another
record's private URL into a new File (POST /api/resource/File) was enough to download it. Here:

- `has_permission` (hook on File): a File attached to a BRM record is readable only by who may read
  the record, writable / deletable only by who may write it; a new File without content of its own
  that points at an existing private URL needs read access to a File of that URL (the check runs before
  frappe reads the file from disk);
- `query_conditions` (hook on File): lists, reportview and get_list leave out Files attached to BRM
  records the user may not read;
- `validate` (File doc event, every path, ignore_permissions too): a relationship manager cannot attach a
  file to a BRM record they may not write, nor make or re-point a File at a private URL they may not read
  (a new upload of bytes identical to such a file is refused too: frappe would hand it the same URL).

frappe's own File rules still apply on top (hooks can only deny).
"""

import frappe
from frappe import _

from brm_app.access.rules import PARENT_CONDITIONS, RESTRICTED_DOCTYPES, restricted_user
from brm_app.exceptions import FileAccessError

PRIVATE_PREFIX = "/private/"


def _attached_record_allowed(doc, ptype: str, user: str) -> bool | None:
	"""None when `doc` is not attached to a BRM record; else whether `user` may `ptype` the record."""
	doctype, name = doc.get("attached_to_doctype"), doc.get("attached_to_name")
	if doctype not in RESTRICTED_DOCTYPES or not name:
		return None
	record_ptype = "read" if ptype in ("read", "select", "print", "email", "export", "report") else "write"
	if not frappe.db.exists(doctype, name):
		return False
	return frappe.has_permission(doctype, record_ptype, doc=name, user=user)


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	ptype = ptype or "read"
	if ptype == "create" and not doc.get("content") and _points_at_unreadable_url(doc, user):
		return False
	allowed = _attached_record_allowed(doc, ptype, user)
	if allowed is False:
		return False
	return None


def _points_at_unreadable_url(doc, user: str) -> bool:
	"""Does `doc` name an existing private file that `user` may not read through any of its File rows?"""
	url = doc.get("file_url")
	if not isinstance(url, str) or not url.startswith(PRIVATE_PREFIX):
		return False
	others = frappe.get_all(
		"File",
		filters={"file_url": url, "name": ("!=", doc.get("name") or "")},
		fields=["name"],
	)
	if not others:
		return False
	# frappe notes each refused check in the message log, naming the record a file belongs to: the caller
	# gave only a URL (or a File's name) and must not learn that
	check_log = frappe.flags.get("has_permission_check_logs")
	logged, checked = len(frappe.local.message_log), len(check_log) if check_log is not None else 0
	readable = any(frappe.has_permission("File", "read", doc=row.name, user=user) for row in others)
	del frappe.local.message_log[logged:]
	if check_log is not None:
		del check_log[checked:]
	return not readable


def validate(doc, method: str | None = None) -> None:
	"""Every File save, whatever the path (frappe's own helpers such as
	`frappe.utils.file_manager.add_attachments` insert with ignore_permissions): a restricted user may not
	attach a file to a BRM record they may not write, nor point a new or changed File at a private URL
	they may not read."""
	user = frappe.session.user
	if user in ("Administrator", "Guest") or not restricted_user(user):
		return
	if (doc.is_new() or doc.has_value_changed("attached_to_name")) and _attached_record_allowed(
		doc, "write", user
	) is False:
		frappe.throw(
			_("You may not attach files to {0} {1}.").format(
				_(doc.attached_to_doctype), frappe.bold(doc.attached_to_name)
			),
			exc=FileAccessError,
			title=_("Not Permitted"),
		)
	if (doc.is_new() or doc.has_value_changed("file_url")) and _points_at_unreadable_url(doc, user):
		frappe.throw(
			# the URL is not named: the caller may have given only a File's name
			_("You may not use a file you cannot read."),
			exc=FileAccessError,
			title=_("Not Permitted"),
		)


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Files attached to a BRM record only when the user may read the record."""
	user = user or frappe.session.user
	if not restricted_user(user):
		return ""
	brm = ", ".join(frappe.db.escape(dt) for dt in RESTRICTED_DOCTYPES)
	parts = [
		"`tabFile`.`attached_to_doctype` is null",
		f"`tabFile`.`attached_to_doctype` not in ({brm})",
	]
	for doctype_, condition in PARENT_CONDITIONS.items():
		where = condition(user) or "1=1"
		parts.append(
			f"(`tabFile`.`attached_to_doctype` = {frappe.db.escape(doctype_)}"
			f" and `tabFile`.`attached_to_name` in (select `tab{doctype_}`.`name` from `tab{doctype_}`"
			f" where {where}))"
		)
	return "(" + " or ".join(parts) + ")"
