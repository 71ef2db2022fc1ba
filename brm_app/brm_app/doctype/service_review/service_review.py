# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Service Review (docs/service-reviews.md): a review meeting with a customer over a period, its agenda
prefilled from the period's data (brm_app.reviews.agenda), minutes, decisions and action items that become
ToDos (brm_app.reviews.actions). A Held review sets the portfolio's Last Reviewed On / Next Review Due
(brm_app.reviews.rhythm).

Server-owned, whatever the request says: customer_name, portfolio and relationship_manager (from the
customer's portfolio), each attendee's name, e-mail and side (from their contact or user), the agenda
snapshot and Held On (taken when the review is Held), Pack E-mailed On, the actions' ToDo links.
"""

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from brm_app.controllers.customer_linked import contacts_of_customer, link_portfolio
from brm_app.controllers.records import BRMRecord
from brm_app.exceptions import ServiceReviewError
from brm_app.reviews import actions, rhythm
from brm_app.reviews.agenda import build_agenda, jsonable

HELD, CANCELLED = "Held", "Cancelled"
CUSTOMER_SIDE, PROVIDER_SIDE = "Customer", "Provider"
SERVER_OWNED = ("agenda_snapshot", "held_on", "pack_sent_on")


class ServiceReview(BRMRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.service_review_action.service_review_action import ServiceReviewAction
		from brm_app.brm_app.doctype.service_review_attendee.service_review_attendee import (
			ServiceReviewAttendee,
		)

		actions: DF.Table[ServiceReviewAction]
		agenda_snapshot: DF.LongText | None
		attendees: DF.Table[ServiceReviewAttendee]
		customer: DF.Link
		customer_name: DF.Data | None
		decisions: DF.TextEditor | None
		held_on: DF.Datetime | None
		language: DF.Link | None
		minutes: DF.TextEditor | None
		naming_series: DF.Literal["SR-.YYYY.-.#####"]
		pack_sent_on: DF.Datetime | None
		period_from: DF.Date | None
		period_to: DF.Date | None
		portfolio: DF.Link | None
		relationship_manager: DF.Link | None
		review_date: DF.Date
		status: DF.Literal["Planned", "Held", "Cancelled"]
	# end: auto-generated types

	def validate(self):
		stored = self.get_doc_before_save() if not self.is_new() else None
		self._stored_portfolio = stored.portfolio if stored else None
		self._previous_todos = actions.stored_todos(None if self.is_new() else self.name)
		self.keep_server_owned(stored)
		link_portfolio(self)
		self.validate_held_date()
		self.set_period()
		self.set_language()
		self.validate_attendees()
		self.validate_actions()
		self.take_snapshot(stored)

	def on_update(self):
		actions.sync_todos(self, self._previous_todos)
		rhythm.refresh_portfolio(self.portfolio)
		if self._stored_portfolio and self._stored_portfolio != self.portfolio:
			rhythm.refresh_portfolio(self._stored_portfolio)

	def on_trash(self):
		actions.cancel_todos(self)

	def after_delete(self):
		rhythm.refresh_portfolio(self.portfolio)

	# validate steps

	def keep_server_owned(self, stored) -> None:
		"""The snapshot, Held On and Pack E-mailed On are the server's: a client's values are dropped."""
		for fieldname in SERVER_OWNED:
			self.set(fieldname, stored.get(fieldname) if stored else None)
		stored_todos = {row.name: row.todo for row in (stored.get("actions") if stored else None) or []}
		for row in self.get("actions") or []:
			row.todo = stored_todos.get(row.name)

	def validate_held_date(self) -> None:
		"""A review is Held on or before today: a future one would move the portfolio's Last Reviewed On
		ahead and silence its review-overdue alert (docs/service-reviews.md)."""
		if self.status == HELD and self.review_date and getdate(self.review_date) > getdate():
			frappe.throw(
				_(
					"A review cannot be Held on a future date ({0}): keep it Planned until the meeting has taken place."
				).format(frappe.format(self.review_date, "Date")),
				exc=ServiceReviewError,
				title=_("Review Not Held Yet"),
			)

	def set_period(self) -> None:
		"""Blank period: since the last Held review, or the portfolio's review cadence before the review date."""
		if not self.period_from or not self.period_to:
			default_from, default_to = rhythm.default_period(self.portfolio, self.review_date, self.name)
			self.period_from = self.period_from or default_from
			self.period_to = self.period_to or default_to
		if getdate(self.period_from) > getdate(self.period_to):
			frappe.throw(
				_("Period From ({0}) must not be after Period To ({1}).").format(
					frappe.format(self.period_from, "Date"), frappe.format(self.period_to, "Date")
				),
				exc=ServiceReviewError,
				title=_("Invalid Period"),
			)

	def set_language(self) -> None:
		"""Blank (or, on a new review, frappe's default: the site's language): the customer's pack language.
		A language chosen on a saved review stays."""
		if not self.language or (self.is_new() and self.language == frappe.db.get_default("lang")):
			from brm_app.reviews.pack import pack_language

			self.language = pack_language(self.customer) or self.language

	def validate_attendees(self) -> None:
		"""Each attendee is one of the customer's contacts (side Customer) or a desk user (side Provider), listed
		once; their name and e-mail are read from that contact or user."""
		linked = contacts_of_customer([row.contact for row in self.attendees if row.contact], self.customer)
		seen = set()
		for row in self.attendees:
			if bool(row.contact) == bool(row.user):
				frappe.throw(
					_("Attendees row {0}: choose either a stakeholder contact or a team user.").format(
						row.idx
					),
					exc=ServiceReviewError,
					title=_("Invalid Attendee"),
				)
			if row.contact:
				if row.contact not in linked:
					frappe.throw(
						_("Attendees row {0}: Contact {1} is not a contact of Customer {2}.").format(
							row.idx, frappe.bold(row.contact), frappe.bold(self.customer)
						),
						exc=ServiceReviewError,
						title=_("Invalid Attendee"),
					)
				contact = frappe.db.get_value(
					"Contact", row.contact, ["full_name", "first_name", "email_id"], as_dict=True
				)
				row.full_name = contact.full_name or contact.first_name or row.contact
				row.email = contact.email_id
				row.side = CUSTOMER_SIDE
			else:
				user = frappe.db.get_value(
					"User", row.user, ["full_name", "email", "user_type"], as_dict=True
				)
				if not user or user.user_type != "System User":
					frappe.throw(
						_("Attendees row {0}: {1} is not a user of the provider.").format(
							row.idx, frappe.bold(row.user)
						),
						exc=ServiceReviewError,
						title=_("Invalid Attendee"),
					)
				row.full_name = user.full_name or row.user
				row.email = user.email
				row.side = PROVIDER_SIDE
			key = row.contact or row.user
			if key in seen:
				frappe.throw(
					_("Attendees row {0}: {1} is already listed.").format(row.idx, frappe.bold(key)),
					exc=ServiceReviewError,
					title=_("Duplicate Attendee"),
				)
			seen.add(key)

	def validate_actions(self) -> None:
		"""An action's owner is a user of the provider who may read this review: the ToDo carries its text."""
		for row in self.get("actions") or []:
			row.status = row.status or actions.OPEN
			if frappe.db.get_value("User", row.assigned_to, "user_type") != "System User":
				frappe.throw(
					_("Action Items row {0}: Owner {1} is not a user of the provider.").format(
						row.idx, frappe.bold(row.assigned_to)
					),
					exc=ServiceReviewError,
					title=_("Invalid Action Item"),
				)
			if not frappe.has_permission(self.doctype, "read", doc=self, user=row.assigned_to):
				frappe.throw(
					_("Action Items row {0}: {1} may not read reviews of Customer {2}.").format(
						row.idx, frappe.bold(row.assigned_to), frappe.bold(self.customer)
					),
					exc=ServiceReviewError,
					title=_("Invalid Action Item"),
				)

	def take_snapshot(self, stored) -> None:
		"""Held: store the agenda's figures as they are now (once; again when the period changes)."""
		if self.status != HELD:
			self.agenda_snapshot = None
			self.held_on = None
			return
		period_changed = stored is None or (
			stored.status != HELD
			or str(stored.period_from) != str(self.period_from)
			or str(stored.period_to) != str(self.period_to)
			or stored.customer != self.customer
		)
		if self.agenda_snapshot and not period_changed:
			return
		self.agenda_snapshot = frappe.as_json(
			jsonable(build_agenda(self.customer, self.period_from, self.period_to, self.review_date))
		)
		self.held_on = self.held_on or now_datetime()

	def agenda(self) -> dict:
		"""The stored snapshot of a Held review, else the agenda built now."""
		if self.status == HELD and self.agenda_snapshot:
			return frappe.parse_json(self.agenda_snapshot)
		return jsonable(build_agenda(self.customer, self.period_from, self.period_to, self.review_date))
