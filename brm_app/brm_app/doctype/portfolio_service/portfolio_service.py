# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class PortfolioService(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		business_criticality: DF.Literal["Critical", "High", "Medium", "Low"]
		business_dependency: DF.SmallText | None
		it_service: DF.Link
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		patterns_of_business_activity: DF.SmallText | None
		user_count: DF.Int
	# end: auto-generated types
	pass
