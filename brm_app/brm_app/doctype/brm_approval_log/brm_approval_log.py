# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""One workflow transition of a business case or customer agreement (who, when, from, to, comment).

Rows are written only by brm_app.approvals.guard; whatever a client sends for this table is replaced by
the stored rows, so the log is append-only.
"""

from brm_app.controllers.records import BRMChildRow


class BRMApprovalLog(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Data | None
		at: DF.Datetime | None
		comment: DF.SmallText | None
		on_behalf_of: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		state_from: DF.Data | None
		state_to: DF.Data | None
		user: DF.Link | None
	# end: auto-generated types
	pass
