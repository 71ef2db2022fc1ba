# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""BRM Settings (single): survey sampling and timing, thresholds, health-score weights."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from brm_app.exceptions import InvalidSettingsError
from brm_app.services import roles
from brm_app.services.health import HealthInputError, validate_weights

SETTINGS = "BRM Settings"

# health-score part (brm_app.services.health.PARTS) -> BRM Settings field
WEIGHT_FIELDS = {
	"csat": "weight_csat",
	"nps": "weight_nps",
	"sla_compliance": "weight_sla",
	"complaints": "weight_complaints",
	"agreement_coverage": "weight_agreement_coverage",
}
PERCENT_FIELDS = (
	"survey_sampling_percent",
	"low_score_threshold",
	"kpi_rag_tolerance",
	"target_k1_outcomes_agreed",
	"target_k2_requirements_signed_off",
	"target_k3_to_business_case",
	"target_k4_to_business_case",
	"target_k5_sla_compliance",
	"target_k5_outcomes_achieved",
	"target_k6_csat",
	"target_k6_response_rate",
	"target_k7_feedback_linked",
	"target_k7_improvements_delivered",
)
NON_NEGATIVE_FIELDS = (
	"default_notice_period_days",
	"two_level_approval_threshold",
	"survey_delay_hours",
	"reminder_after_days",
	"max_reminders",
	"contact_throttle_days",
	"target_k2_cases_approved",
	"target_k2_days_to_approval",
	"target_k3_service_changes",
	"target_k4_innovations",
)
AT_LEAST_ONE_FIELDS = ("survey_expiry_days",)
# settings that decide how many approvals a business case needs: only these roles change them (case 30)
APPROVAL_FIELDS = ("two_level_approval_threshold",)
APPROVAL_SETTINGS_ROLES = roles.APPROVAL_SETTINGS


class BRMSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.brm_complaint_issue_type.brm_complaint_issue_type import (
			BRMComplaintIssueType,
		)

		alert_at_risk: DF.Check
		alert_detractor: DF.Check
		alert_health_drop: DF.Check
		alert_health_drop_points: DF.Float
		alert_notice_window: DF.Check
		alert_opportunity_stale: DF.Check
		alert_opportunity_stale_days: DF.Int
		alert_outcome_overdue: DF.Check
		alert_review_overdue: DF.Check
		approval_escalation_days: DF.Int
		auto_create_portfolio: DF.Check
		complaint_issue_types: DF.TableMultiSelect[BRMComplaintIssueType]
		contact_throttle_days: DF.Int
		default_notice_period_days: DF.Int
		kpi_rag_tolerance: DF.Percent
		low_score_threshold: DF.Percent
		max_reminders: DF.Int
		reminder_after_days: DF.Int
		review_cadence_commodity: DF.Int
		review_cadence_important: DF.Int
		review_cadence_strategic: DF.Int
		sign_off_first_reminder_days: DF.Int
		sign_off_link_days: DF.Int
		sign_off_max_reminders: DF.Int
		survey_cadence_commodity: DF.Int
		survey_cadence_important: DF.Int
		survey_cadence_strategic: DF.Int
		survey_delay_hours: DF.Int
		survey_expiry_days: DF.Int
		survey_sampling_percent: DF.Percent
		target_k1_outcomes_agreed: DF.Percent
		target_k2_cases_approved: DF.Int
		target_k2_days_to_approval: DF.Float
		target_k2_requirements_signed_off: DF.Percent
		target_k3_service_changes: DF.Int
		target_k3_to_business_case: DF.Percent
		target_k4_innovations: DF.Int
		target_k4_to_business_case: DF.Percent
		target_k5_outcomes_achieved: DF.Percent
		target_k5_sla_compliance: DF.Percent
		target_k6_csat: DF.Percent
		target_k6_nps: DF.Float
		target_k6_response_rate: DF.Percent
		target_k7_feedback_linked: DF.Percent
		target_k7_improvements_delivered: DF.Percent
		two_level_approval_threshold: DF.Currency
		weight_agreement_coverage: DF.Int
		weight_complaints: DF.Int
		weight_csat: DF.Int
		weight_nps: DF.Int
		weight_sla: DF.Int

	# end: auto-generated types
	def validate(self):
		self.validate_approval_settings()
		self.validate_percentages()
		self.validate_non_negative()
		self.validate_expiry()
		self.validate_health_weights()
		self.validate_nps_target()
		self.validate_cadences()

	def on_update(self):
		self.refresh_relationship_survey_due()
		self.refresh_review_due()

	def refresh_relationship_survey_due(self) -> None:
		"""A new survey cadence moves every portfolio's next relationship survey (docs/rhythm-surveys.md)."""
		from brm_app.rhythm import cadence

		fields = [cadence.settings_field(cadence.SURVEY, i) for i in cadence.IMPORTANCES]
		if any(self.has_value_changed(field) for field in fields):
			frappe.clear_document_cache(self.doctype, self.name)
			cadence.refresh_next_due(cadence.SURVEY)

	def refresh_review_due(self) -> None:
		"""A new review cadence moves every portfolio's Next Review Due (docs/service-reviews.md)."""
		from brm_app.rhythm import cadence

		fields = [cadence.settings_field(cadence.REVIEW, i) for i in cadence.IMPORTANCES]
		if any(self.has_value_changed(field) for field in fields):
			frappe.clear_document_cache(self.doctype, self.name)
			cadence.refresh_next_due(cadence.REVIEW)

	def validate_approval_settings(self) -> None:
		"""The approval threshold weakens or strengthens the four-eyes rule of business cases: a BRM
		Process Owner or System Manager changes it, no one else (a process manager would approve alone)."""
		if frappe.session.user == "Administrator" or set(APPROVAL_SETTINGS_ROLES) & set(frappe.get_roles()):
			return
		for fieldname in APPROVAL_FIELDS:
			stored = frappe.db.get_single_value(SETTINGS, fieldname, cache=False)
			if flt(self.get(fieldname)) != flt(stored):
				frappe.throw(
					_("Only a {0} or {1} can change {2}.").format(
						_(APPROVAL_SETTINGS_ROLES[0]),
						_(APPROVAL_SETTINGS_ROLES[1]),
						frappe.bold(_(self.meta.get_label(fieldname))),
					),
					exc=frappe.PermissionError,
					title=_("Not Permitted"),
				)

	def validate_percentages(self) -> None:
		for fieldname in PERCENT_FIELDS:
			value = flt(self.get(fieldname))
			if not 0 <= value <= 100:
				self._refuse(_("{0} must be between 0 and 100, not {1}."), fieldname, value)

	def validate_non_negative(self) -> None:
		for fieldname in NON_NEGATIVE_FIELDS:
			value = flt(self.get(fieldname))
			if value < 0:
				self._refuse(_("{0} cannot be negative ({1})."), fieldname, value)

	def validate_expiry(self) -> None:
		for fieldname in AT_LEAST_ONE_FIELDS:
			value = cint(self.get(fieldname))
			if value < 1:
				self._refuse(_("{0} must be at least 1 day, not {1}."), fieldname, value)

	def validate_health_weights(self) -> None:
		"""The five health-score weights are whole numbers >= 0 adding up to 100."""
		weights = {part: cint(self.get(fieldname)) for part, fieldname in WEIGHT_FIELDS.items()}
		try:
			validate_weights(weights)
		except HealthInputError as e:
			frappe.throw(
				_("Health score weights are not valid: {0}. They now add up to {1}.").format(
					str(e), sum(weights.values())
				),
				exc=InvalidSettingsError,
				title=_("Invalid Health Score Weights"),
			)

	def validate_nps_target(self) -> None:
		value = flt(self.get("target_k6_nps"))
		if not -100 <= value <= 100:
			self._refuse(_("{0} must be between -100 and 100, not {1}."), "target_k6_nps", value)

	def validate_cadences(self) -> None:
		"""Survey and review cadences per strategic importance: 0 (none) to cadence.MAX_MONTHS months."""
		from brm_app.rhythm import cadence

		for kind in cadence.KINDS:
			for importance in cadence.IMPORTANCES:
				fieldname = cadence.settings_field(kind, importance)
				value = cint(self.get(fieldname))
				if not 0 <= value <= cadence.MAX_MONTHS:
					frappe.throw(
						_("{0} must be between 0 and {1} months, not {2}.").format(
							frappe.bold(_(self.meta.get_label(fieldname))), cadence.MAX_MONTHS, value
						),
						exc=InvalidSettingsError,
						title=_("Invalid BRM Settings"),
					)

	def _refuse(self, message: str, fieldname: str, value) -> None:
		frappe.throw(
			message.format(frappe.bold(_(self.meta.get_label(fieldname))), value),
			exc=InvalidSettingsError,
			title=_("Invalid BRM Settings"),
		)
