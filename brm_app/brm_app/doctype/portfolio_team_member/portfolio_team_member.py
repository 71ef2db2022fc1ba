# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class PortfolioTeamMember(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		team_role: DF.Data | None
		user: DF.Link
	# end: auto-generated types
	pass
