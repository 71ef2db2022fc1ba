# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""One requirement of a Customer Sign-off: what was asked (snapshot and digest) and the decision. A row
changes only through its sign-off, which only the sign-off service writes."""

from brm_app.controllers.records import BRMChildRow


class CustomerSignoffDecision(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		acceptance_criteria: DF.SmallText | None
		comment: DF.SmallText | None
		decision: DF.Literal["", "Accepted", "Rejected"]
		digest: DF.Data | None
		moscow_priority: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		requirement: DF.SmallText | None
		requirement_idx: DF.Int
		requirement_row: DF.Data | None
		requirement_type: DF.Data | None
	# end: auto-generated types
	pass
