"""What the Business Case Sign-off sheet shows of the customer's sign-off: the Jinja method
`brm_sign_off_sheet(doc)` (hooks.py `jinja`), read by business_case_sign_off.html.

For each signatory of the case, their latest requirements sign-off record (channel, status, decision
time); the digest of each requirement and of the costs and benefits as printed, so that a reader can tie
the sheet to what the customer signed (each record stores the digests it was asked about). The values
are escaped by the template. The method reads nothing the printed case does not already name: the records
of that case only."""

import frappe
from frappe.utils import format_datetime

from brm_app.signoff import records as rec
from brm_app.signoff.digests import case_digest, requirement_digest

SHORT_DIGEST = 12  # hex characters of a requirement's digest in the requirements table


def brm_sign_off_sheet(doc) -> dict:
	"""{"signatories": [{name, channel, status, decided_on, sign_off}], "requirements": {row name: short
	digest}, "case_digest": full digest} for a Business Case document."""
	if getattr(doc, "doctype", None) != "Business Case":
		return {"signatories": [], "requirements": {}, "case_digest": ""}
	latest = {}
	if doc.get("name") and not doc.is_new():
		for record in frappe.get_all(
			rec.SIGN_OFF,
			filters={"business_case": doc.name, "purpose": rec.REQUIREMENTS},
			fields=["name", "signatory_contact", "channel", "status", "decided_on"],
			order_by="creation desc",
		):
			latest.setdefault(record.signatory_contact, record)
	signatories = []
	for row in doc.get("signatories") or []:
		record = latest.get(row.contact) or frappe._dict()
		signatories.append(
			{
				"name": row.full_name or row.contact,
				"channel": record.channel,
				"status": record.status,
				"decided_on": format_datetime(record.decided_on) if record.decided_on else None,
				"sign_off": record.name,
			}
		)
	return {
		"signatories": signatories,
		"requirements": {
			row.name: requirement_digest(row)[:SHORT_DIGEST] for row in doc.get("requirements") or []
		},
		"case_digest": case_digest(doc),
	}
