# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""BRM Approval Delegation (issue 16 point 9; brm_app.signoff.delegation): an approver who is away names
someone holding the same role to decide for them from one date to another.

Checked on every save, whatever the path: the dates are in order; the delegator and the delegate are two
different enabled users who both hold the role delegated; a customer signatory's delegate holds no role of
the provider (nobody signs for the customer); only the delegator, or a BRM Process Owner / System Manager,
writes or deletes it.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from brm_app.signoff import delegation
from brm_app.signoff.delegation import DelegationError
from brm_app.signoff.flow import PROVIDER_ROLES

NOBODY = ("Administrator", "Guest")


class BRMApprovalDelegation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		delegate: DF.Link
		delegate_name: DF.Data | None
		delegator: DF.Link
		delegator_name: DF.Data | None
		from_date: DF.Date
		reason: DF.SmallText | None
		role: DF.Literal["BRM Process Manager", "BRM Process Owner", "BRM Customer Signatory"]
		to_date: DF.Date
	# end: auto-generated types

	def before_insert(self):
		if not self.delegator:
			self.delegator = frappe.session.user

	def validate(self):
		delegation.check_writer(self)
		self.validate_dates()
		self.validate_people()

	def on_trash(self):
		delegation.check_writer(self)

	def validate_dates(self):
		if getdate(self.to_date) < getdate(self.from_date):
			frappe.throw(
				_("The delegation cannot end ({0}) before it starts ({1}).").format(
					frappe.format(self.to_date, "Date"), frappe.format(self.from_date, "Date")
				),
				exc=DelegationError,
				title=_("Invalid Dates"),
			)

	def validate_people(self):
		if self.role not in delegation.DELEGABLE_ROLES:
			frappe.throw(
				_("Only these roles can be delegated: {0}.").format(
					", ".join(_(role) for role in delegation.DELEGABLE_ROLES)
				),
				exc=DelegationError,
				title=_("Invalid Role"),
			)
		if self.delegate == self.delegator:
			frappe.throw(
				_("Nobody delegates to themselves: choose someone else as the delegate."),
				exc=DelegationError,
				title=_("Invalid Delegate"),
			)
		for user, label in ((self.delegator, _("The delegator")), (self.delegate, _("The delegate"))):
			if user in NOBODY or not frappe.db.get_value("User", user, "enabled"):
				frappe.throw(
					_("{0} ({1}) must be an enabled user.").format(label, frappe.bold(user)),
					exc=DelegationError,
					title=_("Invalid User"),
				)
			if self.role not in frappe.get_roles(user):
				frappe.throw(
					_(
						"{0} ({1}) does not hold the role {2}: a delegation passes a role on to someone who holds it too."
					).format(label, frappe.bold(user), frappe.bold(_(self.role))),
					exc=DelegationError,
					title=_("Role Not Held"),
				)
		if self.role == delegation.roles.CUSTOMER_SIGNATORY:
			provider = PROVIDER_ROLES.intersection(frappe.get_roles(self.delegate))
			if provider:
				frappe.throw(
					_("{0} holds a role of the provider ({1}): only the customer's people sign off.").format(
						frappe.bold(self.delegate), ", ".join(_(role) for role in sorted(provider))
					),
					exc=DelegationError,
					title=_("Invalid Delegate"),
				)
