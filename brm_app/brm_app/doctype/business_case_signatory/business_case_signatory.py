# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""A customer signatory of a business case: a stakeholder of the portfolio marked Signs Off Requirements.
Its status columns are results of the Customer Sign-off records (brm_app.signoff.flow.refresh_case)."""

from brm_app.controllers.records import BRMChildRow


class BusinessCaseSignatory(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		acceptance_status: DF.Literal["", "Requested", "Accepted", "Rejected"]
		accepted_on: DF.Datetime | None
		contact: DF.Link
		email_id: DF.Data | None
		full_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		sign_off_status: DF.Literal["", "Requested", "Accepted", "Rejected"]
		signed_off_on: DF.Datetime | None
		stakeholder_role: DF.Data | None
		user: DF.Link | None
	# end: auto-generated types
	pass
