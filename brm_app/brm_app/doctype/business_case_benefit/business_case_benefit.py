# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class BusinessCaseBenefit(Document):
	pass
