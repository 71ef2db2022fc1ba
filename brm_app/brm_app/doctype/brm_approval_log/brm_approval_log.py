# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""One workflow transition of a business case or customer agreement (who, when, from, to, comment).

Rows are written only by brm_app.approvals.guard; whatever a client sends for this table is replaced by
the stored rows, so the log is append-only.
"""

from brm_app.controllers.records import BRMChildRow


class BRMApprovalLog(BRMChildRow):
	pass
