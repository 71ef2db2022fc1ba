# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""IT Service: an entry of the service portfolio (docs/design.md "Data model", S4)."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from brm_app.exceptions import InvalidAvailabilityError

RETIRED = "Retired"


class ITService(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		default_sla: DF.Link | None
		description: DF.TextEditor | None
		lifecycle_status: DF.Literal["Pipeline", "Catalogue", "Retired"]
		max_committable_availability: DF.Percent
		service_name: DF.Data
		service_owner: DF.Link | None
		service_type: DF.Literal["Customer-facing", "Supporting"]

	# end: auto-generated types
	def before_insert(self):
		self.set_service_owner_default()

	def validate(self):
		self.validate_max_committable_availability()

	def set_service_owner_default(self) -> None:
		"""Whoever registers the service owns it until someone else is named."""
		if not self.service_owner and frappe.session.user != "Guest":
			self.service_owner = frappe.session.user

	def validate_max_committable_availability(self) -> None:
		"""The availability an agreement may promise at most (S2: never over-commit): 0 < x <= 100."""
		value = flt(self.max_committable_availability)
		if not 0 < value <= 100:
			frappe.throw(
				_("Highest Committable Availability must be above 0 and at most 100%, not {0}.").format(
					value
				),
				exc=InvalidAvailabilityError,
				title=_("Invalid Availability"),
			)
