"""The workspace page in the reader's language.

frappe 15's onboarding widget shows an onboarding step's description as it is stored (its JavaScript renders
`frappe.markdown(step.description)` without `__()`), while it translates the step's title and button. This
replacement of `frappe.desk.desktop.get_desktop_page` (hooks.override_whitelisted_methods) hands over to
frappe's own function and translates the descriptions of the steps it returns, so the BRM onboarding reads in
the user's language (brm_app/translations/<lang>.csv has the descriptions). Everything else is frappe's.
"""

import frappe
from frappe import _


@frappe.whitelist()
@frappe.read_only()
def get_desktop_page(page: str | dict) -> dict:
	from frappe.desk.desktop import get_desktop_page as frappe_get_desktop_page

	result = frappe_get_desktop_page(page)
	onboardings = (result or {}).get("onboardings") or {}
	for onboarding in onboardings.get("items") or []:
		for step in onboarding.get("items") or []:
			description = step.get("description")
			if description:
				step["description"] = _(description)
	return result
