"""Base classes of the BRM doctypes: rules that hold on every path to the data.

frappe 15 reaches a document through many doors (form saves, REST v1 and v2, `run_doc_method`,
`frappe.client`, reportview, bulk actions, jobs, imports). A rule attached to the endpoints someone
thought of misses the others; a rule in the document's own hooks does not. So:

- `BRMRecord` (Customer Portfolio, Customer Agreement, Service Opportunity, Business Case, Satisfaction
  Survey) checks every reference to another BRM record before validation
  (`brm_app.controllers.references`), and refuses renames: none of these doctypes allows renaming, but
  frappe checks that (and the write permission) only when `validate_rename` is on, and `run_doc_method`
  lets the caller turn it off. `before_rename` and `after_rename` run on every rename path (the latter
  even without validation, in the same transaction, so throwing undoes the rename).
- `BRMChildRow` (every BRM child table) refuses an insert, save or delete of the row on its own: a child
  row changes only through its parent's save, which runs the parent's validation and the approval guard.
  frappe checks a child row's permissions on its parent *doctype* only, so a BRM Process Manager could
  otherwise delete an approval log row, or a cost line of an approved case (leaving stale totals),
  through `frappe.desk.reportview.delete_items`, `frappe.client.delete` or /api/resource.

See docs/security.md for the threat model and the tests of each rule.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from brm_app.exceptions import ChildRowDirectChangeError, RenameNotAllowedError


def _system_context() -> bool:
	"""Install, migrate, patches and uninstall may restructure data (Administrator only)."""
	return bool(
		frappe.flags.in_install
		or frappe.flags.in_migrate
		or frappe.flags.in_patch
		or frappe.flags.in_uninstall
	)


class BRMRecord(Document):
	"""A BRM record that belongs to one customer's portfolio."""

	def before_validate(self):
		from brm_app.controllers.references import check_references

		check_references(self)

	def before_rename(self, old: str, new: str, merge: bool = False):
		refuse_rename(self, old)

	def after_rename(self, old: str, new: str, merge: bool = False):
		refuse_rename(self, new)


def refuse_rename(doc, stored_name: str) -> None:
	"""Refuse renaming `doc` (its stored row is `stored_name`): no write access to the stored row, or a
	doctype that does not allow renaming."""
	if _system_context():
		return
	if not frappe.has_permission(doc.doctype, "write", doc=stored_name):
		frappe.throw(
			_("You may not rename {0} {1}.").format(_(doc.doctype), frappe.bold(stored_name)),
			exc=RenameNotAllowedError,
			title=_("Not Permitted"),
		)
	if not frappe.get_meta(doc.doctype).allow_rename:
		frappe.throw(
			_("{0} records cannot be renamed.").format(_(doc.doctype)),
			exc=RenameNotAllowedError,
			title=_("Not Permitted"),
		)


class BRMChildRow(Document):
	"""A row of a BRM child table: it changes only through its parent's save."""

	def before_insert(self):
		self._refuse_direct_change()

	def before_validate(self):
		self._refuse_direct_change()

	def before_update_after_submit(self):
		self._refuse_direct_change()

	def before_cancel(self):
		self._refuse_direct_change()

	def on_trash(self):
		self._refuse_direct_change()

	def before_rename(self, old: str, new: str, merge: bool = False):
		self._refuse_direct_change()

	def after_rename(self, old: str, new: str, merge: bool = False):
		self._refuse_direct_change()

	def _refuse_direct_change(self):
		# frappe never runs a child row's own hooks while its parent is saved or deleted: getting here
		# means the row is being changed on its own
		if _system_context():
			return
		parent = self.get("parenttype") or _("its parent")
		frappe.throw(
			_("{0} rows can only be changed by saving the {1} they belong to.").format(
				_(self.doctype), _(parent)
			),
			exc=ChildRowDirectChangeError,
			title=_("Not Permitted"),
		)
