"""PDF printing works on the machine (wkhtmltopdf, installed by scripts/dev): the two BRM print formats render
to PDF with their content, and the approver's Workflow Action e-mail carries the case's print as a PDF
without an Error Log entry. The PDFs are read back with pdftotext (poppler-utils)."""

import email

import frappe
from frappe.utils import add_days, nowdate

from tests.support.factories import make_agreement, make_business_case, make_portfolio
from tests.support.pdf import pdf_text
from tests.support.workflow import PROCESS_MANAGER, make_approver, set_threshold, to_pending_approval


def test_business_case_sign_off_prints_to_pdf():
	case = make_business_case(
		customer=make_portfolio().customer,
		title="Warehouse scanners",
		requirements=[{"requirement": "Scanners work offline", "requirement_type": "Functional"}],
	)
	pdf = frappe.get_print("Business Case", case.name, print_format="Business Case Sign-off", as_pdf=True)
	text = pdf_text(pdf)
	assert "Business Case Sign-off" in text
	assert case.name in text
	assert "Warehouse scanners" in text
	assert "Scanners work offline" in text


def test_customer_agreement_prints_to_pdf():
	agreement = make_agreement(
		make_portfolio().customer,
		agreement_title="Managed desktop services 2027",
		end_date=add_days(nowdate(), 400),
	)
	pdf = frappe.get_print(
		"Customer Agreement", agreement.name, print_format="Customer Agreement", as_pdf=True
	)
	text = pdf_text(pdf)
	assert "Customer Agreement" in text
	assert agreement.name in text
	assert "Managed desktop services 2027" in text


def test_the_approvers_email_carries_the_case_as_pdf():
	frappe.db.set_single_value("Print Settings", "send_print_as_pdf", 1)
	set_threshold(10**12)
	errors_before = frappe.db.count("Error Log")
	approver = make_approver(PROCESS_MANAGER)
	case = make_business_case(title="Scanner roll-out approval")
	case = to_pending_approval(case)
	assert case.workflow_state == "Pending Approval"
	queued = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Business Case", "reference_name": case.name},
		pluck="name",
	)
	recipients = frappe.get_all(
		"Email Queue Recipient", filters={"parent": ["in", queued]}, fields=["parent", "recipient"]
	)
	mail_to_approver = [row.parent for row in recipients if row.recipient == approver]
	assert mail_to_approver, recipients
	message = email.message_from_string(frappe.db.get_value("Email Queue", mail_to_approver[0], "message"))
	pdfs = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
	assert [part.get_filename() for part in pdfs] == [f"{case.name}.pdf"]
	text = pdf_text(pdfs[0].get_payload(decode=True))
	assert "Business Case Sign-off" in text
	assert "Scanner roll-out approval" in text
	# the approver reads who signed off for the customer, from their sign-off record
	assert case.signatories[0].full_name in text and "Accepted" in text
	assert case.requirements[0].sign_off_evidence in text
	assert frappe.db.count("Error Log") == errors_before
