"""Patch v0_5.clear_provider_sign_offs (issue 16 point 8): a provider's old self sign-off on a requirement row
(Signed Off By holding a User, no Customer Sign-off behind it) is cleared and the case's timeline says
what was cleared; a customer's sign-off stays."""

import frappe

from brm_app.patches.v0_5 import clear_provider_sign_offs
from tests.support.factories import make_business_case, mute_mail
from tests.support.workflow import approve_business_case, make_approver, set_threshold


def test_the_patch_clears_provider_sign_offs_and_keeps_the_customers():
	mute_mail()
	set_threshold(10**12)
	manager = make_approver()
	signed = approve_business_case(make_business_case(), manager=manager)
	kept = {row.name: (row.signed_off_by, row.sign_off_evidence) for row in signed.requirements}
	assert all(by and evidence for by, evidence in kept.values())

	legacy = make_business_case(requirements=[{"requirement": "A"}, {"requirement": "B"}])
	first, second = legacy.requirements
	frappe.db.set_value(
		"Business Case Requirement",
		first.name,
		{"signed_off_by": "Administrator", "signed_off_on": "2025-01-02 10:00:00"},
	)
	# evidence naming a sign-off that does not exist is no customer sign-off either
	frappe.db.set_value(
		"Business Case Requirement",
		second.name,
		{"signed_off_by": "Administrator", "signed_off_on": "2025-01-03", "sign_off_evidence": "CSO-NONE"},
	)

	clear_provider_sign_offs.execute()

	for row in (first, second):
		values = frappe.db.get_value(
			"Business Case Requirement", row.name, ["signed_off_by", "signed_off_on", "sign_off_evidence"]
		)
		assert values == (None, None, None)
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Business Case", "reference_name": legacy.name, "comment_type": "Info"},
		pluck="content",
	)
	cleared = [c for c in comments if "Sign-offs cleared" in c]
	assert len(cleared) == 1
	assert "row 1: Administrator on 2025-01-02 10:00:00" in cleared[0]
	assert "row 2: Administrator" in cleared[0]
	for name, values in kept.items():
		assert (
			frappe.db.get_value("Business Case Requirement", name, ["signed_off_by", "sign_off_evidence"])
			== values
		)
	assert not frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": "Business Case",
			"reference_name": signed.name,
			"content": ("like", "%Sign-offs cleared%"),
		},
	)
