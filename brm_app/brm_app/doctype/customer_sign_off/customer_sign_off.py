# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Customer Sign-off (docs/sign-off.md): one signatory's decision on a business case's requirements, or on
the acceptance of what was delivered.

Nobody signs for the customer (docs/security.md case 33): every insert, save, delete and rename of a
record is refused unless brm_app's sign-off service writes it (`brm_app.signoff.records.server_write`).
The desk, REST, `frappe.client.set_value`, `run_doc_method`, Data Import and bulk actions all reach these
hooks, so none of them can create, change or remove a decision, whatever the user's roles.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from brm_app.exceptions import SignOffWriteError
from brm_app.signoff import records


def refuse_unless_server(doc) -> None:
	if records.writing():
		return
	frappe.throw(
		_(
			"Customer sign-offs are recorded only from the signatory's own decision (their e-mailed link or their desk): nobody else can create, change or delete one."
		),
		exc=SignOffWriteError,
		title=_("Not Allowed"),
	)


class CustomerSignoff(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.customer_sign_off_decision.customer_sign_off_decision import (
			CustomerSignoffDecision,
		)

		business_case: DF.Link | None
		case_digest: DF.Data | None
		channel: DF.Literal["Desk", "E-mail Link"]
		comment: DF.SmallText | None
		customer: DF.Link | None
		decided_by: DF.Link | None
		decided_on: DF.Datetime | None
		decisions: DF.Table[CustomerSignoffDecision]
		email: DF.Data | None
		escalated_on: DF.Datetime | None
		expires_on: DF.Datetime | None
		language: DF.Link | None
		last_reminded_on: DF.Datetime | None
		naming_series: DF.Literal["CSO-.YYYY.-"]
		on_behalf_of: DF.Link | None
		portfolio: DF.Link | None
		purpose: DF.Literal["Requirements", "Acceptance"]
		relationship_manager: DF.Link | None
		reminders_sent: DF.Int
		requested_on: DF.Datetime | None
		signatory_contact: DF.Link | None
		signatory_name: DF.Data | None
		signatory_user: DF.Link | None
		status: DF.Literal["Requested", "Accepted", "Rejected", "Voided", "Expired", "Withdrawn"]
		token_hash: DF.Data | None
		void_reason: DF.SmallText | None

	# end: auto-generated types
	def before_insert(self):
		refuse_unless_server(self)

	def validate(self):
		refuse_unless_server(self)

	def before_update_after_submit(self):
		refuse_unless_server(self)

	def before_cancel(self):
		refuse_unless_server(self)

	def on_trash(self):
		refuse_unless_server(self)

	def before_rename(self, old: str, new: str, merge: bool = False):
		refuse_unless_server(self)

	def after_rename(self, old: str, new: str, merge: bool = False):
		refuse_unless_server(self)

	def onload(self):
		from brm_app.signoff import view

		self.set_onload("case_view", view.render_for_desk(self))
