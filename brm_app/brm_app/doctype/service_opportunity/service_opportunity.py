# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Service Opportunity (docs/design.md S3 c, d, g; S4): a new service, change, innovation, cost reduction,
retirement or improvement identified with a customer, followed from New to Delivered.

Status moves one pipeline step at a time (brm_app.services.opportunity_status); the approvals and
project integrations move it with db_set, outside these checks.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.mapper import get_mapped_doc
from frappe.utils import flt, now_datetime

from brm_app.controllers.customer_linked import link_portfolio
from brm_app.controllers.records import BRMRecord
from brm_app.exceptions import (
	OpportunityBusinessCaseError,
	OpportunityImpactError,
	OpportunitySourceError,
	OpportunityStatusTransitionError,
	OpportunityValueError,
)
from brm_app.services.opportunity_status import (
	FINAL,
	SYSTEM_ONLY_WITH_CASE,
	allowed_next,
	can_transition,
	manual_status_allowed,
)

TYPES_NEEDING_IMPACTED_SERVICES = ("Service Change", "Retirement")


class ServiceOpportunity(BRMRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.opportunity_impacted_service.opportunity_impacted_service import (
			OpportunityImpactedService,
		)

		business_case: DF.Link | None
		business_impact: DF.TextEditor | None
		currency: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		estimated_cost: DF.Currency
		estimated_value: DF.Currency
		impacted_services: DF.TableMultiSelect[OpportunityImpactedService]
		naming_series: DF.Literal["SOP-.YYYY.-"]
		opportunity_title: DF.Data
		opportunity_type: DF.Literal[
			"New Service",
			"Service Change",
			"Technology Innovation",
			"Cost Reduction",
			"Retirement",
			"Continual Improvement",
		]
		portfolio: DF.Link | None
		priority: DF.Literal["Low", "Medium", "High", "Urgent"]
		project: DF.Link | None
		relationship_manager: DF.Link | None
		source: DF.Literal[
			"Customer Request",
			"Technology Development",
			"Business Change",
			"Complaint or Feedback",
			"Survey",
			"Service Review",
		]
		source_hd_ticket: DF.Data | None
		source_issue: DF.Link | None
		source_survey: DF.Link | None
		status: DF.Literal[
			"New",
			"Assessing",
			"Business Case",
			"Approved",
			"In Delivery",
			"Awaiting Acceptance",
			"Delivered",
			"Rejected",
			"Withdrawn",
		]
		status_since: DF.Datetime | None

	# end: auto-generated types
	def validate(self):
		link_portfolio(self)
		self.validate_estimates()
		self.validate_impacted_services()
		self.validate_sources()
		self.validate_status_transition()
		self.validate_status_follows_business_case()
		self.set_status_since()

	def on_update(self):
		# a Retirement delivered by hand (the system paths call it too: docs/renewals-and-change-impact.md)
		if self.status == "Delivered" and self.has_value_changed("status"):
			from brm_app.rhythm.change_impact import retire_delivered

			retire_delivered(self.name)

	def validate_estimates(self):
		for fieldname in ("estimated_value", "estimated_cost"):
			if flt(self.get(fieldname)) < 0:
				frappe.throw(
					_("{0} cannot be negative.").format(_(self.meta.get_label(fieldname))),
					exc=OpportunityValueError,
					title=_("Invalid Estimate"),
				)

	def validate_impacted_services(self):
		"""A change to or the retirement of a service must say which services it touches (S3c)."""
		if self.opportunity_type in TYPES_NEEDING_IMPACTED_SERVICES and not self.impacted_services:
			frappe.throw(
				_("A {0} opportunity needs at least one impacted service.").format(_(self.opportunity_type)),
				exc=OpportunityImpactError,
				title=_("Impacted Services Required"),
			)

	def validate_sources(self):
		"""The complaint ticket or survey the opportunity was raised from exists and is of the opportunity's
		customer: K7 counts it for that customer's portfolio, and row-level access follows the customer.
		Checked when a source or the customer is set or changed (not on every status move)."""
		if not any(
			self.has_value_changed(f)
			for f in ("customer", "source_issue", "source_survey", "source_hd_ticket")
		):
			return
		for fieldname, customer in self.source_customers():
			label = _(self.meta.get_label(fieldname))
			if customer is False:
				frappe.throw(
					_("{0} {1} does not exist.").format(label, frappe.bold(self.get(fieldname))),
					exc=OpportunitySourceError,
					title=_("Invalid Source"),
				)
			if self.customer and customer != self.customer:
				frappe.throw(
					_("{0} {1} is not of customer {2}.").format(
						label, frappe.bold(self.get(fieldname)), frappe.bold(self.customer)
					),
					exc=OpportunitySourceError,
					title=_("Invalid Source"),
				)

	def source_customers(self) -> list[tuple[str, str | bool | None]]:
		"""(field, customer of the source; False when the source does not exist) of each source set."""
		from brm_app.integrations import HD_TICKET, helpdesk_installed
		from brm_app.integrations.tickets import erpnext_customer

		result = []
		for fieldname, doctype in (("source_issue", "Issue"), ("source_survey", "Satisfaction Survey")):
			if self.get(fieldname):
				customer = frappe.db.get_value(doctype, self.get(fieldname), "customer")
				exists = customer is not None or frappe.db.exists(doctype, self.get(fieldname))
				result.append((fieldname, customer if exists else False))
		if self.get("source_hd_ticket") and helpdesk_installed():
			hd_customer = frappe.db.get_value(HD_TICKET, self.source_hd_ticket, "customer")
			exists = hd_customer is not None or frappe.db.exists(HD_TICKET, self.source_hd_ticket)
			result.append(("source_hd_ticket", erpnext_customer(hd_customer) if exists else False))
		return result

	def validate_status_transition(self):
		"""Manual changes follow the pipeline one step at a time; final statuses stay final."""
		self.status = self.status or "New"
		previous = self.get_doc_before_save()
		old = previous.status if previous else None
		if can_transition(old, self.status):
			return
		if old is None:
			message = _("A new opportunity starts with status {0}.").format(frappe.bold(_("New")))
		elif old in FINAL:
			message = _("The opportunity is {0}; its status can no longer change.").format(
				frappe.bold(_(old))
			)
		else:
			message = _("The status cannot move from {0} to {1}. Next allowed: {2}.").format(
				frappe.bold(_(old)),
				frappe.bold(_(self.status)),
				", ".join(_(s) for s in allowed_next(old)),
			)
		frappe.throw(message, exc=OpportunityStatusTransitionError, title=_("Status Change Not Allowed"))

	def set_status_since(self):
		"""`status_since` is the server's: now on insert and on a status change, else the stored value
		(whatever the request sent; docs/alerts.md "Opportunity stuck")."""
		previous = self.get_doc_before_save()
		if previous is None or previous.status != self.status:
			self.status_since = now_datetime()
		else:
			self.status_since = previous.status_since

	def validate_status_follows_business_case(self):
		"""With a business case, Approved comes from the case's approval (brm_app.approvals), Awaiting Acceptance
		and Delivered from its project and the customer's acceptance (brm_app.signoff.acceptance), not by hand."""
		previous = self.get_doc_before_save()
		case_state = (
			frappe.db.get_value("Business Case", self.business_case, "workflow_state")
			if self.business_case
			else None
		)
		if manual_status_allowed(self.status, previous.status if previous else None, case_state):
			return
		if self.status in SYSTEM_ONLY_WITH_CASE:
			frappe.throw(
				_(
					"The opportunity of Business Case {0} becomes {1} only when its project is completed and the customer accepts the delivery (or a BRM Process Manager waives that)."
				).format(frappe.bold(self.business_case), frappe.bold(_(self.status))),
				exc=OpportunityStatusTransitionError,
				title=_("Status Change Not Allowed"),
			)
		frappe.throw(
			_("The opportunity becomes {0} when Business Case {1} is approved (it is {2}).").format(
				frappe.bold(_(self.status)), frappe.bold(self.business_case), _(case_state or "")
			),
			exc=OpportunityStatusTransitionError,
			title=_("Status Change Not Allowed"),
		)


def move_status(name: str, status: str, **values) -> None:
	"""Set an opportunity's status from the server (approvals, projects, acceptance) without the form's
	pipeline checks; `status_since` moves with the status."""
	values["status"] = status
	if frappe.db.get_value("Service Opportunity", name, "status") != status:
		values["status_since"] = now_datetime()
	frappe.db.set_value("Service Opportunity", name, values)


@frappe.whitelist(methods=["POST"])
def make_business_case(source_name: str, target_doc: str | None = None) -> Document:
	"""A new (unsaved) Business Case mapped from the opportunity, for the "Create Business Case" button."""
	frappe.has_permission("Business Case", "create", throw=True)
	source = frappe.get_doc("Service Opportunity", source_name)
	source.check_permission("read")

	if source.business_case and frappe.db.get_value("Business Case", source.business_case, "docstatus") != 2:
		frappe.throw(
			_("Opportunity {0} already has Business Case {1}.").format(
				frappe.bold(source.name), frappe.bold(source.business_case)
			),
			exc=OpportunityBusinessCaseError,
			title=_("Business Case Exists"),
		)
	if source.status in FINAL:
		frappe.throw(
			_("Opportunity {0} is {1}: no business case can be made from it.").format(
				frappe.bold(source.name), _(source.status)
			),
			exc=OpportunityBusinessCaseError,
			title=_("Opportunity Closed"),
		)

	return get_mapped_doc(
		"Service Opportunity",
		source_name,
		{
			"Service Opportunity": {
				"doctype": "Business Case",
				"field_map": {
					"opportunity_title": "title",
					"name": "service_opportunity",
					"business_impact": "objectives",
				},
				"field_no_map": ["status", "naming_series", "priority"],
			},
		},
		target_doc,
	)
