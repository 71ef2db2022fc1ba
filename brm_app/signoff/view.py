"""What a signatory sees of a business case, the same on the public page and in the desk: the requirements
as they were asked (acceptance criteria, priority), the costs and benefits, and the case's figures (NPV,
ROI, payback). frappe's Jinja does not autoescape: the template escapes every value itself."""

import frappe
from frappe import _
from frappe.utils import fmt_money

from brm_app.signoff import records as rec


def case_view(record) -> dict:
	"""The case as shown for a sign-off record (its decision rows are the requirements asked about)."""
	case = frappe.get_doc("Business Case", record.business_case)
	currency = case.currency or frappe.db.get_default("currency")

	def money(value) -> str:
		return fmt_money(value or 0, currency=currency)

	return {
		"name": case.name,
		"title": case.title,
		"customer_name": case.customer_name or case.customer,
		"purpose": record.purpose,
		"objectives": frappe.utils.strip_html(case.objectives or ""),
		"requirements": [
			{
				"row": row.requirement_row,
				"idx": row.requirement_idx,
				"requirement": row.requirement,
				"type": _(row.requirement_type or ""),
				"priority": _(row.moscow_priority or ""),
				"acceptance_criteria": row.acceptance_criteria or "",
				"decision": row.decision,
				"comment": row.comment,
			}
			for row in record.decisions
		],
		"costs": [
			{
				"description": r.description,
				"type": _(r.cost_type or ""),
				"year": r.year,
				"amount": money(r.amount),
			}
			for r in case.costs
		],
		"benefits": [
			{
				"description": r.description,
				"type": _(r.benefit_type or ""),
				"year": r.year,
				"amount": money(r.amount),
			}
			for r in case.benefits
		],
		"total_cost": money(case.total_cost),
		"total_benefit": money(case.total_benefit),
		"npv": money(case.npv),
		"roi_percent": f"{case.roi_percent or 0:.2f}%",
		"payback": case.payback_label or "",
		"currency": currency,
	}


def render_for_desk(record) -> str:
	"""The case as HTML for the Customer Sign-off form (only for who may read the record)."""
	if not frappe.has_permission(rec.SIGN_OFF, "read", doc=record.name):
		return ""
	return frappe.render_template("brm_app/templates/sign_off_case.html", {"case": case_view(record)})
