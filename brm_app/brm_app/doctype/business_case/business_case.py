# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Business Case (docs/design.md S3 b, K2): the investment case of a service opportunity.

The finance figures are computed here on the server (brm_app.services.finance) and overwrite whatever the
client sent. `prepared_by` is set once on insert and never changes: the approval workflow refuses
self-approval against it (docs/security.md case 6), because `owner` can be rewritten. A submitted (approved)
case is immutable; to change it, cancel and amend.
"""

import frappe
from frappe import _
from frappe.utils import (
	cint,
	flt,
	fmt_money,
	format_date,
	get_datetime,
	get_number_format_info,
	getdate,
	now_datetime,
	nowdate,
)

from brm_app import settings
from brm_app.approvals import guard
from brm_app.approvals.record import WorkflowRecord
from brm_app.controllers import company_currency
from brm_app.controllers.checks import options_list, refuse_more_than
from brm_app.controllers.customer_linked import link_portfolio, require_contact_of_customer
from brm_app.exceptions import (
	ApprovalPreconditionError,
	BusinessCaseFinanceError,
	BusinessCaseOpportunityError,
	BusinessCaseSizeError,
	CustomerSignOffError,
	FundingError,
	PreparedByChangeError,
)
from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status
from brm_app.services.finance import FinanceInputError, compute_business_case
from brm_app.signoff import flow as sign_off

FUNDING_STATUSES = ("Not Requested", "Requested", "Approved", "Declined")
# Opportunity statuses that move on to "Business Case" once a case is made for them.
OPPORTUNITY_OPEN_STATUSES = (opportunity_status.NEW, opportunity_status.ASSESSING)
# Bounds (docs/security.md case 17): long texts and big tables are refused before any work is done on them.
MAX_LONG_TEXT = 100_000  # objectives, risks
MAX_SHORT_TEXT = 10_000  # requirement texts, decision notes
MAX_REQUIREMENTS = 1000
LONG_TEXT_FIELDS = ("objectives", "risks")
SHORT_TEXT_FIELDS = ("decision_notes",)
DECISION_FIELDS = ("decision", "approver", "decided_on")
REQUIREMENT_TEXT_FIELDS = ("requirement", "acceptance_criteria", "sign_off_evidence")
# the conversion into the company's currency (convert_to_company_currency): server-computed results
CONVERSION_FIELDS = ("company_currency", "exchange_rate", "total_cost_company_currency")


class BusinessCase(WorkflowRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.brm_approval_log.brm_approval_log import BRMApprovalLog
		from brm_app.brm_app.doctype.business_case_benefit.business_case_benefit import BusinessCaseBenefit
		from brm_app.brm_app.doctype.business_case_cost.business_case_cost import BusinessCaseCost
		from brm_app.brm_app.doctype.business_case_requirement.business_case_requirement import (
			BusinessCaseRequirement,
		)
		from brm_app.brm_app.doctype.business_case_signatory.business_case_signatory import (
			BusinessCaseSignatory,
		)

		amended_from: DF.Link | None
		approval_escalated_on: DF.Datetime | None
		approval_levels: DF.Int
		approval_log: DF.Table[BRMApprovalLog]
		approval_reminded_on: DF.Datetime | None
		approver: DF.Link | None
		benefits: DF.Table[BusinessCaseBenefit]
		budget_holder: DF.Link | None
		company_currency: DF.Link | None
		costs: DF.Table[BusinessCaseCost]
		currency: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		customer_sign_off_days: DF.Float
		customer_sign_off_started_on: DF.Datetime | None
		customer_signed_off_on: DF.Datetime | None
		cycle_time_days: DF.Float
		decided_on: DF.Datetime | None
		decision: DF.Literal["", "Approved", "Rejected"]
		decision_notes: DF.SmallText | None
		discount_rate: DF.Percent
		exchange_rate: DF.Float
		exchange_rate_date: DF.Date | None
		first_approval_levels: DF.Int
		first_approved_on: DF.Datetime | None
		first_approver: DF.Link | None
		funding_source: DF.Data | None
		funding_status: DF.Literal["Not Requested", "Requested", "Approved", "Declined"]
		horizon_years: DF.Int
		irr_label: DF.Data | None
		irr_percent: DF.Float
		naming_series: DF.Literal["BC-.YYYY.-"]
		net_benefit: DF.Currency
		npv: DF.Currency
		objectives: DF.TextEditor | None
		payback_label: DF.Data | None
		payback_years: DF.Float
		portfolio: DF.Link | None
		prepared_by: DF.Link | None
		relationship_manager: DF.Link | None
		requirements: DF.Table[BusinessCaseRequirement]
		risks: DF.TextEditor | None
		roi_percent: DF.Float
		send_back_reason: DF.SmallText | None
		service_opportunity: DF.Link | None
		signatories: DF.Table[BusinessCaseSignatory]
		submitted_for_approval_on: DF.Datetime | None
		title: DF.Data
		total_benefit: DF.Currency
		total_cost: DF.Currency
		total_cost_company_currency: DF.Currency
		workflow_state: DF.Link | None
	# end: auto-generated types
	# written only by the approval guard (brm_app.approvals.guard), restored on every save
	workflow_owned_fields = (
		"approval_levels",
		"submitted_for_approval_on",
		"first_approver",
		"first_approved_on",
		"send_back_reason",
		"decision",
		"approver",
		"decided_on",
		"cycle_time_days",
		"first_approval_levels",
		"customer_sign_off_started_on",
		"customer_signed_off_on",
		"customer_sign_off_days",
		# the escalation of a case waiting too long (brm_app.jobs.escalation), cleared by every transition
		"approval_reminded_on",
		"approval_escalated_on",
	)
	# what may still change while the case awaits approval (everything else is frozen)
	workflow_unfrozen_fields = frozenset(
		(
			"decision_notes",
			# kept in line with the customer's portfolio by link_portfolio
			"portfolio",
			"relationship_manager",
			"customer_name",
			# computed by the server on every save (convert_to_company_currency), never input
			"exchange_rate_date",
			*CONVERSION_FIELDS,
			# set by the system after approval (Create Project)
			"requirements.task",
			# results of the Customer Sign-off records (brm_app.signoff), computed on every save
			*(f"requirements.{f}" for f in sign_off.REQUIREMENT_RESULT_FIELDS),
			*(f"signatories.{f}" for f in sign_off.SIGNATORY_RESULT_FIELDS),
		)
	)

	def before_insert(self):
		self.prepared_by = frappe.session.user
		# a new case (an amendment included) has no decision yet; decisions come from the approval
		for fieldname in DECISION_FIELDS:
			self.set(fieldname, None)

	def validate(self):
		self.validate_sizes()
		link_portfolio(self)
		self.validate_opportunity()
		self.validate_prepared_by()
		self.validate_funding()
		self.compute_finance()
		self.convert_to_company_currency()
		# the customer's sign-off: what no longer matches is voided; the rows' results are recomputed
		records = sign_off.requirement_sign_offs(self)  # loaded once for the save
		self.flags.brm_stale_sign_offs = sign_off.stale_sign_offs(self, records)
		sign_off.validate_signatories(self)
		sign_off.refresh_case(self, records)
		self.enforce_workflow()  # approval workflow: roles, no self-approval, preconditions, audit

	def before_update_after_submit(self):
		self.enforce_workflow()

	def before_cancel(self):
		self.enforce_workflow()

	def on_update(self):
		sign_off.void_stale(self, self.flags.pop("brm_stale_sign_offs", None) or [])
		self.update_opportunity()
		self.record_transition()

	def validate_workflow(self):
		"""frappe's own check of a transition knows only the session user's roles; a system step of the
		workflow (brm_app.approvals.guard.system_step) is checked by the guard instead."""
		if guard.is_system_step(self, self.get("workflow_state")):
			return
		super().validate_workflow()

	def on_cancel(self):
		self.record_transition()

	# --- the approval workflow's hooks (brm_app.approvals.record) ------------------------------------

	def before_workflow_start(self):
		if self.get("amended_from"):
			# an amendment needs at least the levels its source needed (read from the stored source)
			self.first_approval_levels = frappe.db.get_value(
				self.doctype, self.amended_from, "first_approval_levels"
			)

	def workflow_target_state(self, before, state):
		"""A change that voids customer sign-offs sends a case under review back to Draft (system step)."""
		if (
			state == rules.UNDER_REVIEW
			and before.get("workflow_state") == rules.UNDER_REVIEW
			and self.flags.get("brm_stale_sign_offs")
		):
			guard.allow_system_step(self, rules.DRAFT)
			return rules.DRAFT
		return state

	def before_workflow_transition(self, transition, before, comment):
		"""Requirements, signatories and funding before the customer's sign-off; every requirement signed
		off by the customer and funding requested before Pending Approval and each approval."""
		if rules.needs_sign_off_preconditions(transition):
			problems = sign_off.check_ready(self)
			if problems:
				frappe.throw(
					_("{0} cannot be sent for the customer's sign-off yet: {1}.").format(
						frappe.bold(self.name), "; ".join(problems)
					),
					exc=ApprovalPreconditionError,
					title=_("Not Ready for Sign-off"),
				)
		if rules.needs_sign_off_preconditions(transition) or rules.needs_approval_preconditions(transition):
			self.check_exchange_rate()
		if rules.needs_approval_preconditions(transition):
			self.check_approval_preconditions(transition)
		if transition.action == rules.SIGN_OFF_VOIDED and not comment:
			comment = "; ".join(reason for _name, reason in self.flags.get("brm_stale_sign_offs") or [])
		return comment

	def apply_workflow_transition(self, transition, comment):
		"""The audit fields of the transition (the guard adds the approval log row)."""
		now = now_datetime()
		new = transition.next_state
		# a new wait (or none): the escalation of the previous one is over
		self.approval_reminded_on = None
		self.approval_escalated_on = None
		if new == rules.CUSTOMER_SIGN_OFF:
			self.customer_sign_off_started_on = now
		if transition.state == rules.CUSTOMER_SIGN_OFF and self.customer_sign_off_started_on:
			spent = (now - get_datetime(self.customer_sign_off_started_on)).total_seconds() / 86400
			self.customer_sign_off_days = round(flt(self.customer_sign_off_days) + max(spent, 0), 2)
			if new == rules.PENDING_APPROVAL:
				self.customer_signed_off_on = now
		if new == rules.PENDING_APPROVAL:
			self.approval_levels = self.required_approval_levels()
			if not cint(self.get("first_approval_levels")):
				# what the case needed when first submitted for approval: it never needs fewer (case 30)
				self.first_approval_levels = self.approval_levels
			self.submitted_for_approval_on = now
			self.first_approver = None
			self.first_approved_on = None
		elif new == rules.PENDING_FINAL_APPROVAL:
			self.first_approver = frappe.session.user
			self.first_approved_on = now
		elif new in (rules.APPROVED, rules.REJECTED):
			self.decision = new
			self.approver = frappe.session.user
			self.decided_on = now
			self.cycle_time_days = rules.cycle_time_days(get_datetime(self.creation), now)
			if new == rules.REJECTED and comment and not (self.decision_notes or "").strip():
				self.decision_notes = comment
		elif new == rules.DRAFT:
			self.send_back_reason = comment
			self.first_approver = None
			self.first_approved_on = None
		self.refresh_workflow_fields(new)

	def refresh_workflow_fields(self, state):
		"""While a case is still being prepared its approval levels follow its total cost; from Pending
		Approval on they stay as fixed when it got there."""
		if state in (rules.DRAFT, rules.UNDER_REVIEW):
			self.approval_levels = self.required_approval_levels()

	def after_workflow_transition(self, info):
		guard.end_system_step(self, info["to"])
		if info["from"] == rules.CUSTOMER_SIGN_OFF and info["to"] == rules.DRAFT:
			sign_off.withdraw_open(self.name, info.get("comment") or _("The case went back to Draft."))
		self.sync_opportunity_with_state()
		if info["to"] == rules.CUSTOMER_SIGN_OFF:
			sign_off.start(self)
			self.reload()

	def required_approval_levels(self) -> int:
		"""The approval levels the case needs: by its total cost in the company's currency and today's
		threshold, but never fewer than when it was first submitted for approval (a lowered threshold does
		not apply to it, case 30). Without an exchange rate the cost cannot be shown to be under the
		threshold: two levels (a case is not sent on without one, `check_exchange_rate`)."""
		threshold = settings.two_level_approval_threshold()
		cost = self.total_cost_in_company_currency()
		if cost is None:
			levels = 2 if threshold > 0 else 1
		else:
			levels = rules.approval_levels(cost, threshold)
		return max(levels, cint(self.get("first_approval_levels")))

	def total_cost_in_company_currency(self) -> float | None:
		"""The total cost converted into the company's currency; None when there is no rate. A site
		without a default company compares the case's own amounts, as before conversion existed."""
		if not self.get("company_currency"):
			return flt(self.get("total_cost"))
		if not flt(self.get("exchange_rate")):
			return None
		return flt(self.get("total_cost_company_currency"))

	def convert_to_company_currency(self):
		"""Company currency, exchange rate (of the case's date, `exchange_rate_date`: the day it was made)
		and total cost in the company's currency, computed on the server while the case is prepared (Draft,
		Under Review); from the customer's sign-off on they stay as computed when it was sent, so an
		approval compares what the customer signed. Whatever a client sends for them is overwritten."""
		stored = None
		if not self.is_new():
			stored = frappe.db.get_value(
				self.doctype,
				self.name,
				["workflow_state", "exchange_rate_date", "creation", *CONVERSION_FIELDS],
				as_dict=True,
			)
		if stored:
			self.exchange_rate_date = stored.exchange_rate_date or getdate(stored.creation)
		else:
			self.exchange_rate_date = getdate(nowdate())
		if (
			stored
			and stored.company_currency
			and stored.workflow_state not in (None, "", rules.DRAFT, rules.UNDER_REVIEW)
		):
			for fieldname in CONVERSION_FIELDS:
				self.set(fieldname, stored.get(fieldname))
			return
		target = company_currency.company_currency()
		self.company_currency = target
		rate = company_currency.exchange_rate(self.currency or target, target, self.exchange_rate_date)
		self.exchange_rate = rate or 0
		self.total_cost_company_currency = flt(flt(self.total_cost) * rate, 2) if rate else 0

	def check_exchange_rate(self):
		"""A case in another currency than the company's goes on (to the customer, to approval) only with
		an exchange rate for its date: the approval threshold is compared in the company's currency."""
		if not self.get("company_currency") or flt(self.get("exchange_rate")):
			return
		frappe.throw(
			_(
				"{0} is in {1}, the approval threshold in {2}, and ERPNext has no exchange rate from {1} to {2} on {3}: add a Currency Exchange record for that date (or an earlier one) and try again."
			).format(
				frappe.bold(self.name),
				frappe.bold(self.currency),
				frappe.bold(self.company_currency),
				format_date(self.exchange_rate_date),
			),
			exc=ApprovalPreconditionError,
			title=_("Exchange Rate Missing"),
		)

	def check_approval_preconditions(self, transition) -> None:
		missing = rules.missing_preconditions(
			[(row.signed_off_by, row.signed_off_on) for row in self.get("requirements") or []],
			self.get("funding_status"),
		)
		if not missing:
			return
		reasons = []
		for code, detail in missing:
			if code == rules.NO_REQUIREMENTS:
				reasons.append(_("the case has no requirements"))
			elif code == rules.UNSIGNED_REQUIREMENTS:
				reasons.append(
					_("requirement rows {0} are not signed off by every customer signatory").format(
						", ".join(str(i) for i in detail)
					)
				)
			elif code == rules.FUNDING_NOT_REQUESTED:
				reasons.append(_("funding is not requested (Funding Status is {0})").format(_(detail or "")))
		frappe.throw(
			_("{0} cannot go to {1} yet: {2}.").format(
				frappe.bold(self.name), frappe.bold(_(transition.next_state)), "; ".join(reasons)
			),
			exc=ApprovalPreconditionError,
			title=_("Not Ready for Approval"),
		)

	def sync_opportunity_with_state(self) -> None:
		"""Move the case's service opportunity to follow the case's state (db_set: no manual-status rules)."""
		if not self.get("service_opportunity"):
			return
		current = frappe.db.get_value("Service Opportunity", self.service_opportunity, "status")
		if current is None:
			return
		target = opportunity_status.status_for_case(self.get("workflow_state"), current)
		if target:
			from brm_app.brm_app.doctype.service_opportunity.service_opportunity import move_status

			move_status(self.service_opportunity, target)

	def all_requirements_signed_off(self) -> bool:
		return all_requirements_signed_off(self)

	# validation steps

	def validate_sizes(self):
		"""Refuse oversized texts and tables before they are sanitised, stored or computed on."""
		for fieldname in LONG_TEXT_FIELDS:
			self._check_text_length(self, fieldname, MAX_LONG_TEXT)
		for fieldname in SHORT_TEXT_FIELDS:
			self._check_text_length(self, fieldname, MAX_SHORT_TEXT)
		refuse_more_than(
			self.requirements,
			MAX_REQUIREMENTS,
			_("A business case can have at most {0} requirements."),
			BusinessCaseSizeError,
			_("Too Many Requirements"),
		)
		for row in self.requirements:
			for fieldname in REQUIREMENT_TEXT_FIELDS:
				self._check_text_length(row, fieldname, MAX_SHORT_TEXT)

	def _check_text_length(self, doc, fieldname: str, limit: int):
		value = doc.get(fieldname)
		if isinstance(value, str) and len(value) > limit:
			label = _(doc.meta.get_label(fieldname))
			if doc.get("parentfield"):
				label = _("Row {0}: {1}").format(doc.idx, label)
			frappe.throw(
				_("{0} is too long: at most {1} characters are allowed.").format(label, limit),
				exc=BusinessCaseSizeError,
				title=_("Text Too Long"),
			)

	def validate_opportunity(self):
		if not self.service_opportunity:
			return
		opportunity_customer = frappe.db.get_value(
			"Service Opportunity", self.service_opportunity, "customer"
		)
		if opportunity_customer != self.customer:
			frappe.throw(
				_("Service Opportunity {0} belongs to customer {1}, not to {2}.").format(
					frappe.bold(self.service_opportunity),
					frappe.bold(opportunity_customer),
					frappe.bold(self.customer),
				),
				exc=BusinessCaseOpportunityError,
				title=_("Wrong Customer"),
			)

	def validate_prepared_by(self):
		"""Keep `prepared_by` as it was stored, whoever saves (Administrator included)."""
		if self.is_new():
			if not self.prepared_by:
				self.prepared_by = frappe.session.user
			return
		stored = frappe.db.get_value(self.doctype, self.name, ["prepared_by", "owner"], as_dict=True)
		if not stored:
			return
		if not stored.prepared_by:
			# a record stored without it (e.g. by a direct database write): anchor it to its creator
			self.prepared_by = stored.owner
			return
		if self.prepared_by != stored.prepared_by:
			frappe.throw(
				_("Prepared By cannot be changed once the business case exists (it was {0}).").format(
					frappe.bold(stored.prepared_by)
				),
				exc=PreparedByChangeError,
				title=_("Not Allowed"),
			)

	def validate_funding(self):
		if self.funding_status not in FUNDING_STATUSES:
			frappe.throw(
				_("Funding Status must be one of: {0}.").format(options_list(FUNDING_STATUSES)),
				exc=FundingError,
				title=_("Invalid Funding Status"),
			)
		require_contact_of_customer(
			self.budget_holder,
			self.customer,
			_("Budget Holder {0} is not a contact of customer {1}."),
			FundingError,
			_("Invalid Budget Holder"),
		)

	def compute_finance(self):
		"""Compute the figures on the server; values sent by the client are overwritten."""
		for row in [*self.costs, *self.benefits]:
			# the same casts frappe applies when storing the rows, so the figures match what is stored
			row.year = cint(row.year)
			row.amount = flt(row.amount)
		try:
			result = compute_business_case(
				self.costs, self.benefits, flt(self.discount_rate), _whole_number(self.horizon_years)
			)
		except FinanceInputError as exc:
			frappe.throw(
				_("The figures of this business case cannot be computed: {0}").format(str(exc)),
				exc=BusinessCaseFinanceError,
				title=_("Invalid Costs or Benefits"),
			)
		self.total_cost = result.total_cost
		self.total_benefit = result.total_benefit
		self.net_benefit = result.net_benefit
		self.npv = result.npv
		self.roi_percent = result.roi_percent
		self.payback_years = result.payback_years or 0
		self.payback_label = payback_label(result.payback_years)
		self.irr_percent = result.irr_percent
		self.irr_label = irr_label(result.irr_percent)

	# after save

	def update_opportunity(self):
		"""Link the opportunity to this case and move it on, without running its own validation."""
		if not self.service_opportunity:
			return
		opportunity = frappe.db.get_value(
			"Service Opportunity", self.service_opportunity, ["business_case", "status"], as_dict=True
		)
		if not opportunity:
			return
		values = {}
		if opportunity.business_case != self.name:
			values["business_case"] = self.name
		if opportunity.status in OPPORTUNITY_OPEN_STATUSES:
			from brm_app.brm_app.doctype.service_opportunity.service_opportunity import move_status

			move_status(self.service_opportunity, opportunity_status.BUSINESS_CASE, **values)
		elif values:
			frappe.db.set_value("Service Opportunity", self.service_opportunity, values)


def all_requirements_signed_off(doc) -> bool:
	"""True when the case has at least one requirement and every requirement is signed off."""
	requirements = doc.get("requirements") or []
	return bool(requirements) and all(row.signed_off_by and row.signed_off_on for row in requirements)


def _whole_number(value: object) -> object:
	"""An int from an Int field value (frappe may hand over a float or a string); others unchanged."""
	if isinstance(value, float) and value.is_integer():
		return int(value)
	if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
		return int(value)
	return value


def _format_number(value: float) -> str:
	"""At most two decimals in the site's number format, trailing zeros dropped: 2.5 -> "2,5" in #.###,##
	and "2.5" in #,###.##, 3.0 -> "3", 1250.75 -> "1.250,75" (never %-formatting: the headline and the
	Finance tab must read one way)."""
	number_format = frappe.db.get_default("number_format") or "#,###.##"
	decimal_sign = get_number_format_info(number_format)[0]
	text = fmt_money(value, precision=2, format=number_format)
	if decimal_sign and decimal_sign in text:
		text = text.rstrip("0").rstrip(decimal_sign)
	return text


def payback_label(years: float | None) -> str:
	"""The payback period as the Finance tab and the headline show it ("Never" without one)."""
	return _("Never") if years is None else _("{0} years").format(_format_number(years))


def irr_label(irr_percent: float | None) -> str:
	"""The IRR as shown ("Not defined" when the cash flows have none), two decimals: "40,07%"."""
	if irr_percent is None:
		return _("Not defined")
	number_format = frappe.db.get_default("number_format") or "#,###.##"
	return fmt_money(irr_percent, precision=2, format=number_format) + "%"
