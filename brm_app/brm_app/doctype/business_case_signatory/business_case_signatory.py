# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""A customer signatory of a business case: a stakeholder of the portfolio marked Signs Off Requirements.
Its status columns are results of the Customer Sign-off records (brm_app.signoff.flow.refresh_case)."""

from brm_app.controllers.records import BRMChildRow


class BusinessCaseSignatory(BRMChildRow):
	pass
