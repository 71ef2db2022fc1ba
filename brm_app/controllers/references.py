"""References between BRM records, checked on the server whatever the request carries.

A field that names another BRM record (the record an amendment is made from, an agreement's previous
agreement, an opportunity's source survey and business case, a case's service opportunity, a survey's
reference) must name a record that

- exists, and that the user may read (frappe would copy it otherwise: an amendment gets the source's
  values in its Version, its attachments and, for a business case, its matching requirement sign-offs);
- belongs to the same customer as the referring record (row-level access follows the customer);
- for `amended_from`: is of the same doctype, cancelled, and one the user may amend.

`check_references(doc)` runs from `BRMRecord.before_validate` (brm_app.controllers.records), i.e. on
every insert and save, and checks the fields that are new or changed. See docs/security.md (case 26).
"""

import frappe
from frappe import _

from brm_app.exceptions import ReferenceAccessError

CANCELLED = 2
# doctype -> (field, doctype it names); amended_from always names the record's own doctype
REFERENCE_FIELDS = {
	"Customer Agreement": (("previous_agreement", "Customer Agreement"),),
	"Service Opportunity": (
		("source_survey", "Satisfaction Survey"),
		("business_case", "Business Case"),
	),
	"Business Case": (("service_opportunity", "Service Opportunity"),),
	"Satisfaction Survey": (),
}
# fields whose controller already refuses another customer with its own error (validation, HTTP 417):
# BusinessCase.validate_opportunity, ServiceOpportunity.validate_sources
CUSTOMER_CHECKED_BY_CONTROLLER = frozenset(
	{("Business Case", "service_opportunity"), ("Service Opportunity", "source_survey")}
)
# a Dynamic Link of a survey may name a BRM record too
DYNAMIC_REFERENCES = {"Satisfaction Survey": (("reference_name", "reference_doctype"),)}


def brm_doctypes() -> tuple[str, ...]:
	from brm_app.access.rules import RESTRICTED_DOCTYPES

	return RESTRICTED_DOCTYPES


def references_of(doc) -> list[tuple[str, str, str]]:
	"""(field, doctype, name) of every BRM record `doc` names."""
	found = []
	if doc.meta.has_field("amended_from") and doc.get("amended_from"):
		found.append(("amended_from", doc.doctype, doc.amended_from))
	for fieldname, doctype in REFERENCE_FIELDS.get(doc.doctype, ()):
		if doc.get(fieldname):
			found.append((fieldname, doctype, doc.get(fieldname)))
	for fieldname, doctype_field in DYNAMIC_REFERENCES.get(doc.doctype, ()):
		doctype = doc.get(doctype_field)
		if doc.get(fieldname) and doctype in brm_doctypes():
			found.append((fieldname, doctype, doc.get(fieldname)))
	return found


def _changed(doc, fieldname: str) -> bool:
	if doc.is_new():
		return True
	before = doc.get_doc_before_save()
	if before is None:
		stored = frappe.db.get_value(doc.doctype, doc.name, fieldname)
		return stored != doc.get(fieldname)
	return before.get(fieldname) != doc.get(fieldname)


def check_references(doc) -> None:
	"""Refuse a new or changed reference to a BRM record the user may not read, not of the same customer,
	or (amended_from) not a cancelled record of the same doctype the user may amend."""
	for fieldname, doctype, name in references_of(doc):
		if not (_changed(doc, fieldname) or _changed(doc, "customer")):
			continue
		check_reference(doc, fieldname, doctype, name)


def _refuse(doc, fieldname: str, message: str) -> None:
	frappe.throw(
		_("{0}: {1}").format(_(doc.meta.get_label(fieldname)), message),
		exc=ReferenceAccessError,
		title=_("Not Permitted"),
	)


def check_reference(doc, fieldname: str, doctype: str, name: str) -> None:
	meta = frappe.get_meta(doctype)
	fields = ["name", "docstatus"] + (["customer"] if meta.has_field("customer") else [])
	stored = frappe.db.get_value(doctype, name, fields, as_dict=True) if isinstance(name, str) else None
	# one message for "does not exist" and "not yours": the answer must not tell which
	not_readable = _("{0} {1} does not exist or you may not read it.").format(_(doctype), frappe.bold(name))
	if not stored or not frappe.has_permission(doctype, "read", doc=stored.name):
		_refuse(doc, fieldname, not_readable)
	same_customer_checked_by_controller = (doc.doctype, fieldname) in CUSTOMER_CHECKED_BY_CONTROLLER
	if stored.get("customer") != doc.get("customer") and not same_customer_checked_by_controller:
		_refuse(
			doc,
			fieldname,
			_("{0} {1} belongs to another customer.").format(_(doctype), frappe.bold(name)),
		)
	if fieldname == "amended_from":
		if stored.docstatus != CANCELLED:
			_refuse(
				doc,
				fieldname,
				_("only a cancelled {0} can be amended.").format(_(doctype)),
			)
		if not frappe.has_permission(doctype, "amend", doc=stored.name):
			_refuse(
				doc,
				fieldname,
				_("you may not amend {0} {1}.").format(_(doctype), frappe.bold(name)),
			)
