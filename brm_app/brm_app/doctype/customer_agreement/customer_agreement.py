# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Customer Agreement (docs/design.md S2): an agreement with a customer, internal (non-contractual) or
external (a contract), over a set of IT Services with their SLAs and availability targets.

Submitting activates it (sign-off recorded); afterwards only the status and termination can change.
The status is derived by brm_app.services.agreement_status and refreshed daily by
brm_app.jobs.agreements.update_agreement_statuses.
"""

import frappe
from frappe import _
from frappe.utils import add_days, cint, date_diff, flt, formatdate, getdate, nowdate

from brm_app import settings
from brm_app.approvals.record import WorkflowRecord
from brm_app.controllers.checks import each_once, refuse_existing
from brm_app.controllers.customer_linked import link_portfolio, require_contact_of_customer
from brm_app.exceptions import (
	AgreementDateError,
	AgreementRenewalError,
	AgreementServiceError,
	AgreementSignatoryError,
	AgreementSignOffError,
	AgreementTerminationError,
	AvailabilityOverCommitError,
	NoticePeriodError,
	SLANotApplicableError,
)
from brm_app.services import approval_rules as rules
from brm_app.services import renewal as renewal_rules
from brm_app.services.agreement_status import (
	CANCELLED,
	EXPIRED,
	TERMINATED,
	derive_status,
	notice_deadline,
	renewal_period,
)

DEFAULT_NOTICE_PERIOD_DAYS = 60


class CustomerAgreement(WorkflowRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.agreement_service.agreement_service import AgreementService
		from brm_app.brm_app.doctype.brm_approval_log.brm_approval_log import BRMApprovalLog

		agreement_basis: DF.Literal["Standard", "Negotiated"]
		agreement_kind: DF.Literal["Internal", "External"]
		agreement_title: DF.Data
		agreement_value: DF.Currency
		amended_from: DF.Link | None
		approval_log: DF.Table[BRMApprovalLog]
		billing_frequency: DF.Literal["Not Billed", "Monthly", "Quarterly", "Yearly", "One-off"]
		contract: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		customer_signatory: DF.Link | None
		end_date: DF.Date
		evidence: DF.Attach | None
		last_extended_on: DF.Date | None
		naming_series: DF.Literal["CAG-.YYYY.-"]
		notice_period_days: DF.Int
		portfolio: DF.Link | None
		prepared_by: DF.Link | None
		previous_agreement: DF.Link | None
		provider_signatory: DF.Link | None
		relationship_manager: DF.Link | None
		renewal: DF.Literal["Never", "Tacit", "Express"]
		renewal_reminder_sent_on: DF.Datetime | None
		renewal_term_months: DF.Int
		services: DF.Table[AgreementService]
		signed_on: DF.Date | None
		start_date: DF.Date
		status: DF.Literal[
			"Draft", "Pending Sign-off", "Active", "Expiring", "Expired", "Terminated", "Cancelled"
		]
		tacit_extensions: DF.Int
		terminated_on: DF.Date | None
		termination_reason: DF.SmallText | None
		workflow_state: DF.Link | None
	# end: auto-generated types
	# written only by the approval guard and the renewal job, restored on every save
	workflow_owned_fields = ("renewal_reminder_sent_on", "tacit_extensions", "last_extended_on")

	def before_insert(self):
		# who prepared it (a renewal too): someone else activates it (four eyes); set once, never changes
		self.prepared_by = frappe.session.user

	def validate(self):
		link_portfolio(self)
		self.validate_prepared_by()
		self.validate_dates()
		self.set_default_notice_period()
		self.validate_notice_period()
		self.validate_renewal_term()
		self.validate_services()
		self.validate_service_level_agreements()
		self.validate_contract_and_signatories()
		self.enforce_workflow()  # sign-off workflow: roles, comments, audit (before the status follows it)
		self.set_status()

	def before_submit(self):
		self.validate_sign_off()

	def on_update(self):
		self.record_transition()

	def on_submit(self):
		# validate has set it already, unless validation was skipped (flags.ignore_validate)
		self.set_status(update=True)

	def before_cancel(self):
		self.enforce_workflow()

	def on_cancel(self):
		self.set_status(update=True)
		self.record_transition()

	def before_update_after_submit(self):
		self.enforce_workflow()  # Terminate sets the date and reason, checked next
		self.validate_termination()

	def on_update_after_submit(self):
		self.set_status(update=True)
		self.record_transition()

	# --- the sign-off workflow's hooks (brm_app.approvals.record) ---------------------------------------

	def workflow_target_state(self, before, state):
		"""Setting Terminated On (a direct edit included) is the Terminate transition."""
		if self.get("terminated_on") and not before.get("terminated_on") and self.docstatus == 1:
			return rules.TERMINATED
		return state

	def before_workflow_transition(self, transition, before, comment):
		"""Terminate: only a live agreement; the reason is the action's comment (or the field), the date today."""
		if transition.next_state != rules.TERMINATED:
			return comment
		check_can_terminate(before)
		if not (self.get("termination_reason") or "").strip():
			self.termination_reason = comment
		comment = comment or (self.get("termination_reason") or "").strip() or None
		if not comment:
			frappe.throw(
				_("A terminated agreement needs a Termination Reason."),
				exc=AgreementTerminationError,
				title=_("Termination Reason Required"),
			)
		self.terminated_on = self.get("terminated_on") or nowdate()
		return comment

	# --- validation steps ----------------------------------------------------------------------

	def validate_prepared_by(self):
		"""Keep `prepared_by` as stored, whoever saves: the four-eyes rule of Activate rests on it."""
		if self.is_new():
			self.prepared_by = self.prepared_by or frappe.session.user
			return
		stored = frappe.db.get_value(self.doctype, self.name, ["prepared_by", "owner"], as_dict=True)
		if not stored:
			return
		# a record stored without it (made before the field existed): its creator prepared it
		self.prepared_by = stored.prepared_by or stored.owner

	def validate_dates(self):
		if self.start_date and self.end_date and getdate(self.end_date) <= getdate(self.start_date):
			frappe.throw(
				_("End Date {0} must be after Start Date {1}.").format(
					formatdate(self.end_date), formatdate(self.start_date)
				),
				exc=AgreementDateError,
				title=_("Invalid Dates"),
			)
		if not self.signed_on:
			return
		if getdate(self.signed_on) > getdate(nowdate()):
			frappe.throw(
				_("Signed On cannot be in the future."), exc=AgreementDateError, title=_("Invalid Dates")
			)
		if self.end_date and getdate(self.signed_on) > getdate(self.end_date):
			frappe.throw(
				_("Signed On {0} cannot be after the End Date {1}.").format(
					formatdate(self.signed_on), formatdate(self.end_date)
				),
				exc=AgreementDateError,
				title=_("Invalid Dates"),
			)

	def set_default_notice_period(self):
		"""Empty notice period: the BRM Settings default, capped so that it fits in the agreement."""
		if self.notice_period_days not in (None, ""):
			return
		default = cint(settings.default_notice_period_days() or DEFAULT_NOTICE_PERIOD_DAYS)
		duration = self.duration_in_days()
		if duration is not None:
			default = min(default, max(duration - 1, 0))
		self.notice_period_days = default

	def validate_notice_period(self):
		notice = cint(self.notice_period_days)
		if notice < 0:
			frappe.throw(
				_("Notice Period cannot be negative."),
				exc=NoticePeriodError,
				title=_("Invalid Notice Period"),
			)
		duration = self.duration_in_days()
		if duration is not None and notice >= duration:
			frappe.throw(
				_("Notice Period ({0} days) must be shorter than the agreement ({1} days).").format(
					notice, duration
				),
				exc=NoticePeriodError,
				title=_("Invalid Notice Period"),
			)

	def validate_renewal_term(self):
		"""Tacit renewal needs a term (docs/renewals-and-change-impact.md): empty means the default 12 months."""
		if self.renewal != renewal_rules.TACIT:
			return
		if self.renewal_term_months in (None, "", 0):
			self.renewal_term_months = renewal_rules.DEFAULT_RENEWAL_TERM_MONTHS
		if cint(self.renewal_term_months) < 1:
			frappe.throw(
				_("Renewal Term must be at least one month."),
				exc=AgreementRenewalError,
				title=_("Invalid Renewal Term"),
			)

	def validate_services(self):
		"""Each covered service once, not Retired, with an availability target it can commit to."""
		services = self.get_it_services()
		for row in each_once(
			self.services,
			"it_service",
			_("Row {0}: IT Service {1} is listed more than once."),
			AgreementServiceError,
			_("Duplicate Service"),
		):
			service = services.get(row.it_service)
			if not service:
				continue  # frappe's link validation reports the missing record
			if service.lifecycle_status == "Retired":
				frappe.throw(
					_("Row {0}: IT Service {1} is Retired and cannot be covered by an agreement.").format(
						row.idx, frappe.bold(row.it_service)
					),
					exc=AgreementServiceError,
					title=_("Retired Service"),
				)
			self.validate_availability_target(row, service)

	def validate_availability_target(self, row, service):
		target = flt(row.availability_target)
		if not target:
			return
		if target < 0 or target > 100:
			frappe.throw(
				_("Row {0}: the availability target of {1} must be between 0 and 100%.").format(
					row.idx, frappe.bold(row.it_service)
				),
				exc=AgreementServiceError,
				title=_("Invalid Availability Target"),
			)
		maximum = flt(service.max_committable_availability)
		if target > maximum:
			frappe.throw(
				_(
					"Row {0}: the availability target {1}% for {2} is above the {3}% the provider can commit to."
				).format(row.idx, target, frappe.bold(row.it_service), maximum),
				exc=AvailabilityOverCommitError,
				title=_("Over-commitment"),
			)

	def validate_service_level_agreements(self):
		"""Each row's SLA must be enabled and apply to this customer; empty: the service's default SLA."""
		services = self.get_it_services()
		for row in self.services:
			if not row.service_level_agreement:
				default_sla = services.get(row.it_service, frappe._dict()).get("default_sla")
				if default_sla and sla_applies(default_sla, self.customer):
					row.service_level_agreement = default_sla
				continue
			if not sla_applies(row.service_level_agreement, self.customer):
				frappe.throw(
					_(
						"Row {0}: Service Level Agreement {1} is disabled or does not apply to customer {2}."
					).format(row.idx, frappe.bold(row.service_level_agreement), frappe.bold(self.customer)),
					exc=SLANotApplicableError,
					title=_("Service Level Agreement Not Applicable"),
				)

	def validate_contract_and_signatories(self):
		if self.contract:
			party = frappe.db.get_value(
				"Contract", self.contract, ["party_type", "party_name", "docstatus"], as_dict=True
			)
			if party and (
				party.party_type != "Customer" or party.party_name != self.customer or party.docstatus == 2
			):
				frappe.throw(
					_("Contract {0} is not a valid contract of customer {1}.").format(
						frappe.bold(self.contract), frappe.bold(self.customer)
					),
					exc=AgreementSignatoryError,
					title=_("Invalid Contract"),
				)
		require_contact_of_customer(
			self.customer_signatory,
			self.customer,
			_("Customer Signatory {0} is not a contact of customer {1}."),
			AgreementSignatoryError,
			_("Invalid Signatory"),
		)
		if (
			self.agreement_kind == "External"
			and not self.contract
			and not (self.customer_signatory and self.provider_signatory)
		):
			frappe.throw(
				_(
					"An external agreement needs an ERPNext Contract, or both a Customer Signatory and a Provider Signatory."
				),
				exc=AgreementSignatoryError,
				title=_("Contract or Signatories Required"),
			)

	def validate_sign_off(self):
		"""Activation needs the sign-off: both signatories for external agreements, the date for all."""
		missing = []
		if self.agreement_kind == "External":
			if not self.customer_signatory:
				missing.append(_("Customer Signatory"))
			if not self.provider_signatory:
				missing.append(_("Provider Signatory"))
		if not self.signed_on:
			missing.append(_("Signed On"))
		if missing:
			frappe.throw(
				_("Record the sign-off before activating the agreement. Missing: {0}.").format(
					", ".join(missing)
				),
				exc=AgreementSignOffError,
				title=_("Sign-off Incomplete"),
			)

	def validate_termination(self):
		if self.terminated_on and not (self.termination_reason or "").strip():
			frappe.throw(
				_("A terminated agreement needs a Termination Reason."),
				exc=AgreementTerminationError,
				title=_("Termination Reason Required"),
			)
		if not self.terminated_on:
			return
		# Terminated On is written through the API too (allow_on_submit): no back-dating before the
		# sign-off, no date after the agreement has ended anyway (docs/security.md case 16)
		terminated_on = getdate(self.terminated_on)
		if self.signed_on and terminated_on < getdate(self.signed_on):
			frappe.throw(
				_("Terminated On {0} cannot be before Signed On {1}.").format(
					formatdate(self.terminated_on), formatdate(self.signed_on)
				),
				exc=AgreementDateError,
				title=_("Invalid Dates"),
			)
		if self.end_date and terminated_on > getdate(self.end_date):
			frappe.throw(
				_("Terminated On {0} cannot be after the End Date {1}.").format(
					formatdate(self.terminated_on), formatdate(self.end_date)
				),
				exc=AgreementDateError,
				title=_("Invalid Dates"),
			)

	# --- status ----------------------------------------------------------------------------------

	def get_derived_status(self, today=None) -> str:
		return derive_status(
			self.docstatus,
			self.get("workflow_state"),
			getdate(self.start_date),
			getdate(self.end_date),
			cint(self.notice_period_days),
			getdate(today or nowdate()),
			getdate(self.terminated_on) if self.terminated_on else None,
		)

	def set_status(self, update: bool = False):
		status = self.get_derived_status()
		if update:
			if status != self.status:
				self.db_set("status", status)
		else:
			self.status = status

	# --- helpers ---------------------------------------------------------------------------------

	def duration_in_days(self) -> int | None:
		if not (self.start_date and self.end_date):
			return None
		return date_diff(self.end_date, self.start_date)

	def get_it_services(self) -> dict:
		names = list({row.it_service for row in self.services if row.it_service})
		if not names:
			return {}
		rows = frappe.get_all(
			"IT Service",
			filters={"name": ("in", names)},
			fields=["name", "lifecycle_status", "max_committable_availability", "default_sla"],
		)
		return {row.name: row for row in rows}


def sla_applies(sla_name: str, customer: str) -> bool:
	"""Whether an enabled ERPNext Service Level Agreement applies to `customer`: it is the default SLA,
	or its entity is the customer, the customer's group or the customer's territory."""
	sla = frappe.db.get_value(
		"Service Level Agreement",
		sla_name,
		["enabled", "default_service_level_agreement", "entity_type", "entity"],
		as_dict=True,
	)
	if not sla or not sla.enabled:
		return False
	if sla.default_service_level_agreement:
		return True
	if not sla.entity:
		return False
	if sla.entity_type == "Customer":
		return sla.entity == customer
	group, territory = frappe.db.get_value("Customer", customer, ["customer_group", "territory"]) or (
		None,
		None,
	)
	if sla.entity_type == "Customer Group":
		return sla.entity == group
	if sla.entity_type == "Territory":
		return sla.entity == territory
	return False


# --- whitelisted actions ---------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def renew_agreement(source_name: str) -> str:
	"""Create the next version of a submitted agreement as a Draft, starting the day after it ends and
	lasting as long; returns the new agreement's name."""
	frappe.has_permission("Customer Agreement", "create", throw=True)
	source = frappe.get_doc("Customer Agreement", source_name)
	source.check_permission("read")

	if source.docstatus != 1:
		frappe.throw(
			_("Only a submitted agreement can be renewed."),
			exc=AgreementRenewalError,
			title=_("Cannot Renew"),
		)
	refuse_existing(
		source.name,
		frappe.db.get_value(
			"Customer Agreement", {"previous_agreement": source.name, "docstatus": ("<", 2)}, "name"
		),
		_("Agreement {0} has already been renewed by {1}."),
		AgreementRenewalError,
		_("Already Renewed"),
	)

	start_date, end_date = renewal_period(getdate(source.start_date), getdate(source.end_date))
	renewal = frappe.copy_doc(source, ignore_no_copy=False)
	renewal.update(
		{
			"docstatus": 0,
			"start_date": start_date,
			"end_date": end_date,
			"previous_agreement": source.name,
			"status": "Draft",
			# the sign-off belongs to the old version: the new one is signed afresh
			"signed_on": None,
			"evidence": None,
		}
	)
	renewal.insert()
	return renewal.name


def check_can_terminate(stored) -> None:
	"""Only a submitted agreement that has not ended can be terminated (`stored`: the stored document)."""
	if stored.docstatus != 1:
		frappe.throw(
			_("Only a submitted agreement can be terminated."),
			exc=AgreementTerminationError,
			title=_("Cannot Terminate"),
		)
	status = stored.get_derived_status()
	if status in (TERMINATED, EXPIRED, CANCELLED) or stored.get("terminated_on"):
		frappe.throw(
			_("Agreement {0} has already ended ({1}).").format(frappe.bold(stored.name), _(status)),
			exc=AgreementTerminationError,
			title=_("Cannot Terminate"),
		)
	# tacit renewal: notice after the notice deadline is too late for this term; the agreement extends
	# and can be terminated in its next term (docs/renewals-and-change-impact.md)
	if stored.get("renewal") == renewal_rules.TACIT and not renewal_rules.can_terminate_tacit(
		getdate(stored.end_date), cint(stored.notice_period_days), getdate(nowdate())
	):
		frappe.throw(
			_(
				"Agreement {0} renews tacitly and its notice deadline {1} has passed: it extends on {2} and can be terminated in its next term."
			).format(
				frappe.bold(stored.name),
				formatdate(notice_deadline(getdate(stored.end_date), cint(stored.notice_period_days))),
				formatdate(add_days(stored.end_date, 1)),
			),
			exc=AgreementTerminationError,
			title=_("Notice Deadline Passed"),
		)


@frappe.whitelist(methods=["POST"])
def terminate_agreement(name: str, reason: str) -> str:
	"""Terminate a submitted agreement today, with a reason: the workflow's Terminate action (the guard
	and `CustomerAgreement.before_workflow_transition` check it); returns the new status."""
	from brm_app.api.approvals import apply_action

	doc = frappe.get_doc("Customer Agreement", name)
	doc.check_permission("write")
	check_can_terminate(doc)
	apply_action(doc.doctype, doc.name, rules.TERMINATE, comment=reason)
	return frappe.db.get_value(doc.doctype, doc.name, "status")


# --- scheduled job ---------------------------------------------------------------------------------
