# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class BusinessCaseRequirement(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		acceptance_criteria: DF.SmallText | None
		accepted_by: DF.Data | None
		accepted_on: DF.Datetime | None
		moscow_priority: DF.Literal["Must", "Should", "Could", "Won't"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		requirement: DF.SmallText
		requirement_type: DF.Literal["Functional", "Availability", "Capacity", "Continuity", "Security"]
		sign_off_evidence: DF.SmallText | None
		signed_off_by: DF.Data | None
		signed_off_on: DF.Datetime | None
		task: DF.Link | None
	# end: auto-generated types
	pass
