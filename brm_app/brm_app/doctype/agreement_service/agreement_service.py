# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from brm_app.controllers.records import BRMChildRow


class AgreementService(BRMChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		availability_target: DF.Percent
		it_service: DF.Link
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		service_hours: DF.Data | None
		service_level_agreement: DF.Link | None
	# end: auto-generated types
	pass
