# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Customer Portfolio: what the provider knows about one customer (docs/design.md S1, K1)."""

import frappe
from frappe import _
from frappe.utils import cint, formatdate, getdate, today

from brm_app.access.rules import restricted_user
from brm_app.brm_app.doctype.customer_health_snapshot.customer_health_snapshot import (
	delete_health_snapshots,
)
from brm_app.brm_app.doctype.it_service.it_service import RETIRED
from brm_app.controllers.checks import check_all_once, refuse_existing
from brm_app.controllers.customer_linked import contacts_of_customer, propagate_relationship_manager
from brm_app.controllers.records import BRMRecord
from brm_app.exceptions import (
	DuplicatePortfolioError,
	DuplicatePortfolioServiceError,
	OutcomeAgreementError,
	RelationshipManagerChangeError,
	RetiredServiceError,
	StakeholderContactError,
)
from brm_app.rhythm import cadence
from brm_app.setup.health_columns import NULLABLE_HEALTH_FIELDS

AGREED = "Agreed"


class CustomerPortfolio(BRMRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.portfolio_business_outcome.portfolio_business_outcome import (
			PortfolioBusinessOutcome,
		)
		from brm_app.brm_app.doctype.portfolio_service.portfolio_service import PortfolioService
		from brm_app.brm_app.doctype.portfolio_stakeholder.portfolio_stakeholder import PortfolioStakeholder
		from brm_app.brm_app.doctype.portfolio_team_member.portfolio_team_member import PortfolioTeamMember

		agreement_coverage: DF.Percent
		business_drivers: DF.SmallText | None
		business_outcomes: DF.Table[PortfolioBusinessOutcome]
		business_plans: DF.TextEditor | None
		business_strategy: DF.TextEditor | None
		csat_score: DF.Percent
		customer: DF.Link
		customer_name: DF.Data | None
		health_rag: DF.Literal["", "Green", "Amber", "Red"]
		health_score: DF.Float
		health_updated_on: DF.Datetime | None
		industry: DF.Link | None
		last_relationship_survey_on: DF.Date | None
		last_reviewed_on: DF.Date | None
		next_relationship_survey_due: DF.Date | None
		next_review_due: DF.Date | None
		nps_score: DF.Float
		open_complaints: DF.Int
		relationship_manager: DF.Link | None
		relationship_status: DF.Literal["Prospect", "Active", "At Risk", "Dormant", "Ended"]
		relationship_team: DF.Table[PortfolioTeamMember]
		review_cadence_months: DF.Int
		services: DF.Table[PortfolioService]
		sla_compliance: DF.Percent
		stakeholders: DF.Table[PortfolioStakeholder]
		strategic_importance: DF.Literal["Strategic", "Important", "Commodity"]
		survey_cadence_months: DF.Int

	# end: auto-generated types
	def get_valid_dict(self, *args, **kwargs):
		"""frappe writes 0 for an empty number field; a health figure without data stays empty (NULL), not a
		measured 0 (brm_app.setup.health_columns)."""
		values = super().get_valid_dict(*args, **kwargs)
		for fieldname in NULLABLE_HEALTH_FIELDS:
			if fieldname in values and self.get(fieldname) is None:
				values[fieldname] = None
		return values

	def validate(self):
		self.check_one_portfolio_per_customer()
		self.set_relationship_manager_default()
		self.validate_relationship_manager_change()
		self.validate_stakeholders()
		self.validate_business_outcomes()
		self.validate_services()
		self.validate_cadence_overrides()
		self.set_relationship_survey_dates()
		self.set_review_rhythm()

	def on_update(self):
		self.propagate_relationship_manager_change()

	def on_trash(self):
		# its health history goes with it (docs/health-over-time.md); nobody else may delete snapshots
		delete_health_snapshots(self.name)

	# validate steps

	def check_one_portfolio_per_customer(self) -> None:
		"""One portfolio per customer (it is named by the customer; this gives a clear message)."""
		if not self.is_new():
			return
		refuse_existing(
			self.customer,
			frappe.db.get_value("Customer Portfolio", {"customer": self.customer}, "name"),
			_("Customer {0} already has a Customer Portfolio: {1}."),
			DuplicatePortfolioError,
			_("Duplicate Customer Portfolio"),
		)

	def set_relationship_manager_default(self) -> None:
		"""An empty relationship manager defaults to the Customer's Account Manager."""
		if not self.relationship_manager and self.customer:
			self.relationship_manager = frappe.db.get_value("Customer", self.customer, "account_manager")

	def validate_relationship_manager_change(self) -> None:
		"""Only a BRM Process Manager or Owner (or System Manager) hands a portfolio to another relationship
		manager: not a relationship-team member, and not the relationship manager themselves (a hand-over
		moves every record of the customer, so it is the process's decision). Checked here, on every path
		(form, REST, set_value, imports); docs/security.md, case 32."""
		if self.is_new():
			return  # brm_app.access.rules.has_permission: a new portfolio is the creator's own
		stored = frappe.db.get_value("Customer Portfolio", self.name, "relationship_manager")
		if stored == self.relationship_manager or not restricted_user(frappe.session.user):
			return
		frappe.throw(
			_(
				"Only a BRM Process Manager or Process Owner can change the Relationship Manager of a portfolio."
			),
			exc=RelationshipManagerChangeError,
			title=_("Not Permitted"),
		)

	def validate_stakeholders(self) -> None:
		"""Stakeholders are contacts of this customer, each listed once."""
		check_all_once(
			self.stakeholders,
			"contact",
			_("Row {0}: Contact {1} is already a stakeholder."),
			StakeholderContactError,
			_("Duplicate Stakeholder"),
		)
		self._check_customer_contacts(
			[(row.idx, row.contact) for row in self.stakeholders], _("Stakeholders")
		)

	def validate_business_outcomes(self) -> None:
		"""K1: an Agreed outcome records when and by whom (a contact of this customer) it was agreed."""
		for row in self.business_outcomes:
			if row.status == AGREED and not (row.agreed_on and row.agreed_by):
				frappe.throw(
					_(
						"Business Outcomes row {0}: an Agreed outcome needs Agreed On and Agreed By (the customer's contact who agreed it)."
					).format(row.idx),
					exc=OutcomeAgreementError,
					title=_("Agreement Evidence Missing"),
				)
			if row.agreed_on and getdate(row.agreed_on) > getdate(today()):
				frappe.throw(
					_("Business Outcomes row {0}: Agreed On {1} is in the future.").format(
						row.idx, formatdate(row.agreed_on)
					),
					exc=OutcomeAgreementError,
					title=_("Invalid Agreement Date"),
				)
		self._check_customer_contacts(
			[(row.idx, row.agreed_by) for row in self.business_outcomes if row.agreed_by],
			_("Business Outcomes"),
		)

	def validate_services(self) -> None:
		"""Each service is listed once; a Retired service cannot start being consumed."""
		check_all_once(
			self.services,
			"it_service",
			_("Services Consumed row {0}: IT Service {1} is already listed."),
			DuplicatePortfolioServiceError,
			_("Duplicate Service"),
		)

		before = self.get_doc_before_save()
		already_consumed = {row.it_service for row in before.services} if before else set()
		added = [row for row in self.services if row.it_service not in already_consumed]
		if not added:
			return
		retired = set(
			frappe.get_all(
				"IT Service",
				filters={"name": ("in", [row.it_service for row in added]), "lifecycle_status": RETIRED},
				pluck="name",
			)
		)
		for row in added:
			if row.it_service in retired:
				frappe.throw(
					_("Services Consumed row {0}: IT Service {1} is Retired and cannot be added.").format(
						row.idx, frappe.bold(row.it_service)
					),
					exc=RetiredServiceError,
					title=_("Retired Service"),
				)

	def validate_cadence_overrides(self) -> None:
		"""A portfolio's own survey / review cadence is at most cadence.MAX_MONTHS months."""
		for fieldname in cadence.PORTFOLIO_FIELD.values():
			if cint(self.get(fieldname)) > cadence.MAX_MONTHS:
				frappe.throw(
					_("{0} cannot be more than {1} months, not {2}.").format(
						frappe.bold(_(self.meta.get_label(fieldname))),
						cadence.MAX_MONTHS,
						cint(self.get(fieldname)),
					),
					title=_("Invalid Cadence"),
				)

	def set_relationship_survey_dates(self) -> None:
		"""The last relationship survey date is the server's (the survey jobs and Send Survey Now write it
		with db_set): a save keeps the stored one, whatever the form, REST or an import sent. The next due
		date follows from it and the cadence, so a change of the importance or of the override moves it
		(docs/rhythm-surveys.md)."""
		if self.survey_cadence_months not in (None, "") and cint(self.survey_cadence_months) < 0:
			frappe.throw(
				_("Survey Cadence (Months) cannot be negative."),
				title=_("Invalid Cadence"),
			)
		self.last_relationship_survey_on = (
			None
			if self.is_new()
			else frappe.db.get_value(self.doctype, self.name, "last_relationship_survey_on")
		)
		self.next_relationship_survey_due = cadence.next_due(cadence.SURVEY, self)

	# on_update steps

	def propagate_relationship_manager_change(self) -> None:
		"""A new relationship manager takes over every record hanging off the portfolio."""
		if self.get_doc_before_save() is None or not self.has_value_changed("relationship_manager"):
			return
		propagate_relationship_manager(self.name, self.relationship_manager)

	def set_review_rhythm(self) -> None:
		"""Last Reviewed On / Next Review Due from the stored Held reviews and the review cadence (importance,
		override): server-owned on every save (brm_app.reviews.rhythm, docs/service-reviews.md)."""
		from brm_app.reviews.rhythm import apply_to_portfolio

		apply_to_portfolio(self)

	# helpers

	def _check_customer_contacts(self, rows: list[tuple[int, str]], table_label: str) -> None:
		"""Refuse any contact (by row) that is not linked to this portfolio's customer."""
		linked = contacts_of_customer([contact for _idx, contact in rows], self.customer)
		for idx, contact in rows:
			if contact and contact not in linked:
				frappe.throw(
					_("{0} row {1}: Contact {2} is not a contact of Customer {3}.").format(
						table_label, idx, frappe.bold(contact), frappe.bold(self.customer)
					),
					exc=StakeholderContactError,
					title=_("Not a Contact of this Customer"),
				)
