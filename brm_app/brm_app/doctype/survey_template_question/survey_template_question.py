# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class SurveyTemplateQuestion(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		mandatory: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		question: DF.Data
		question_type: DF.Literal["Rating", "NPS", "Yes/No", "Text"]
	# end: auto-generated types
	pass
