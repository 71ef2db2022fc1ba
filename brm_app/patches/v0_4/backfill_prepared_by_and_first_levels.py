"""Records stored before issue 13: an agreement's Prepared By is its creator (four eyes on Activate), and a
business case that was already submitted for approval keeps the levels it has (first_approval_levels)."""

import frappe


def execute():
	agreement = frappe.qb.DocType("Customer Agreement")
	(
		frappe.qb.update(agreement)
		.set(agreement.prepared_by, agreement.owner)
		.where(agreement.prepared_by.isnull() | (agreement.prepared_by == ""))
	).run()
	case = frappe.qb.DocType("Business Case")
	(
		frappe.qb.update(case)
		.set(case.first_approval_levels, case.approval_levels)
		.where(case.submitted_for_approval_on.isnotnull())
		.where(case.first_approval_levels.isnull() | (case.first_approval_levels == 0))
	).run()
