"""Requirement rows signed off before issue 16: Signed Off By held the User who marked the row (a provider's
own sign-off). It is now the result of the customer's sign-offs (brm_app.signoff.flow.refresh_case), and K2
"requirements signed off" counts those only. Clear every row whose sign-off has no accepted Customer
Sign-off behind it, and say on each case's timeline what was cleared."""

import frappe
from frappe import _
from frappe.utils import cstr, escape_html

ROW = "Business Case Requirement"
SIGN_OFF = "Customer Sign-off"


def _backed(row) -> bool:
	names = [n.strip() for n in cstr(row.sign_off_evidence).split(",") if n.strip()]
	if not names:
		return False
	return bool(
		frappe.db.exists(
			SIGN_OFF,
			{
				"name": ("in", names),
				"business_case": row.parent,
				"purpose": "Requirements",
				"status": "Accepted",
			},
		)
	)


def execute():
	rows = frappe.get_all(
		ROW,
		filters={"parenttype": "Business Case", "signed_off_by": ("is", "set")},
		fields=["name", "parent", "idx", "signed_off_by", "signed_off_on", "sign_off_evidence"],
		order_by="parent, idx",
	)
	cleared: dict[str, list] = {}
	for row in rows:
		if _backed(row):
			continue
		frappe.db.set_value(
			ROW,
			row.name,
			{"signed_off_by": None, "signed_off_on": None, "sign_off_evidence": None},
			update_modified=False,
		)
		cleared.setdefault(row.parent, []).append(row)
	for case_name, case_rows in cleared.items():
		details = "; ".join(
			_("row {0}: {1} on {2}").format(row.idx, row.signed_off_by, cstr(row.signed_off_on))
			for row in case_rows
		)
		frappe.get_doc("Business Case", case_name).add_comment(
			"Info",
			escape_html(
				_(
					"Sign-offs cleared: they were recorded by the provider, without a customer sign-off behind them ({0})."
				).format(details)
			),
		)
