# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class PortfolioBusinessOutcome(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreed_by: DF.Link | None
		agreed_on: DF.Date | None
		desired_outcome: DF.SmallText | None
		evidence: DF.SmallText | None
		measure: DF.Data | None
		objective: DF.Data
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		status: DF.Literal["Proposed", "Agreed", "Achieved", "Dropped"]
		target_date: DF.Date | None
	# end: auto-generated types
	pass
