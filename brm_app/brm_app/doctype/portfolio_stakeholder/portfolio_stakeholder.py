# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class PortfolioStakeholder(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		contact: DF.Link
		email_id: DF.Data | None
		full_name: DF.Data | None
		influence: DF.Literal["High", "Medium", "Low"]
		interest: DF.Literal["High", "Medium", "Low"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		receives_surveys: DF.Check
		signs_off_requirements: DF.Check
		stakeholder_role: DF.Literal[
			"Decision Maker", "Sponsor", "Budget Holder", "Key User", "Service User", "Other"
		]
	# end: auto-generated types
	pass
