"""Typed errors raised by brm_app; all are validation errors so the desk shows them as messages."""

import frappe


class BRMValidationError(frappe.ValidationError):
	"""Base class of brm_app's own validation errors."""


# Customer Portfolio, IT Service, BRM Settings and link integrity (issue "Domain model", part A)


class DuplicatePortfolioError(BRMValidationError):
	"""The customer already has a Customer Portfolio (one per customer)."""


class StakeholderContactError(BRMValidationError):
	"""A stakeholder or agreeing contact is not a contact of the portfolio's customer, or is listed twice."""


class DuplicatePortfolioServiceError(BRMValidationError):
	"""The same IT Service is listed twice among the services consumed."""


class OutcomeAgreementError(BRMValidationError):
	"""An Agreed business outcome lacks its evidence (agreed on / by), or is agreed in the future."""


class RetiredServiceError(BRMValidationError):
	"""A Retired IT Service cannot start being consumed."""


class InvalidAvailabilityError(BRMValidationError):
	"""An availability percentage outside 0 < x <= 100."""


class InvalidSettingsError(BRMValidationError):
	"""A BRM Settings value out of its range."""


class BRMLinkExistsError(BRMValidationError, frappe.LinkExistsError):
	"""A record that BRM records use cannot be deleted (the message names them)."""


# Business Case, Satisfaction Survey and its template (issue "Domain model", part C)


class BusinessCaseFinanceError(BRMValidationError):
	"""The cost / benefit lines, discount rate or horizon of a business case are not valid."""


class BusinessCaseSizeError(BRMValidationError):
	"""A business case text or table is larger than allowed."""


class BusinessCaseOpportunityError(BRMValidationError):
	"""The business case's service opportunity belongs to another customer."""


class PreparedByChangeError(BRMValidationError):
	"""The "prepared by" of an existing business case cannot change (it anchors the no-self-approval rule)."""


class RequirementSignOffError(BRMValidationError):
	"""A requirement sign-off is incomplete, in the future, not by the signing user, or not allowed now."""


class FundingError(BRMValidationError):
	"""A funding status that does not exist, or a budget holder who is not a contact of the customer."""


class SurveyTemplateError(BRMValidationError):
	"""A survey template without questions, with an unknown question type or too many questions."""


class SurveyTemplateDisabledError(BRMValidationError):
	"""A survey cannot be made from a disabled template."""


class SurveyContactError(BRMValidationError):
	"""The survey's contact is not a contact of the survey's customer."""


class SurveyAnswerValidationError(BRMValidationError):
	"""An answer does not fit its question type, or a mandatory answer is missing."""


class SurveyDateError(BRMValidationError):
	"""Survey times out of order (responded or expiring before it was sent)."""


class SurveyResponseLockedError(BRMValidationError):
	"""A responded survey's answers and status cannot change any more."""


class SurveyServerFieldError(BRMValidationError):
	"""A survey's status, answers, token hash, dates or (once sent) recipient set by hand (the server's)."""


class SurveyCancelError(BRMValidationError):
	"""A survey cannot be cancelled: already closed, or no reason given."""


class SurveyClosedError(BRMValidationError):
	"""The survey can no longer be answered (already responded, expired or cancelled)."""


# Customer Agreement and Service Opportunity (issue "Domain model", part B)


class AgreementDateError(BRMValidationError):
	"""Agreement dates out of order: end not after start, signed in the future or after the end."""


class AgreementServiceError(BRMValidationError):
	"""A covered service is listed twice, is Retired, or has an availability target out of 0-100."""


class AvailabilityOverCommitError(BRMValidationError):
	"""An availability target above what the IT Service can commit to (no over-commitment, S2)."""


class SLANotApplicableError(BRMValidationError):
	"""A covered service's Service Level Agreement is disabled or does not apply to the customer."""


class AgreementSignatoryError(BRMValidationError):
	"""An external agreement without contract or signatories, a contract or customer signatory of
	another party."""


class NoticePeriodError(BRMValidationError):
	"""A negative notice period, or one not shorter than the agreement."""


class AgreementSignOffError(BRMValidationError):
	"""The agreement cannot be activated (submitted) before its sign-off is recorded."""


class AgreementRenewalError(BRMValidationError):
	"""The agreement cannot be renewed (not submitted, or already renewed)."""


class AgreementTerminationError(BRMValidationError):
	"""The agreement cannot be terminated (not submitted, already ended, or no reason given)."""


class OpportunityValueError(BRMValidationError):
	"""A negative estimated value or cost on a service opportunity."""


class OpportunityImpactError(BRMValidationError):
	"""A service change or retirement opportunity without impacted services."""


class OpportunityStatusTransitionError(BRMValidationError):
	"""A status change that skips a step, goes back, or leaves a final status."""


class OpportunitySourceError(BRMValidationError):
	"""The ticket or survey an opportunity names as its source is missing or of another customer."""


class OpportunityBusinessCaseError(BRMValidationError):
	"""A business case cannot be made from this opportunity (closed, or it has one already)."""


# Helpdesk and project hooks, survey lifecycle and the public survey page (issue 5)


class SurveyMailError(BRMValidationError):
	"""A survey invitation, reminder or renewal reminder could not be queued."""


class SurveyLinkError(BRMValidationError):
	"""A survey link is unknown, already used, expired or cancelled (one message for all on purpose)."""

	http_status_code = 410


class ImprovementOpportunityError(BRMValidationError):
	"""A ticket or survey cannot be turned into a continual improvement opportunity."""


# Approval workflows, requirement sign-off and projects (issue 4)


class ApprovalTransitionError(BRMValidationError):
	"""The workflow has no such transition, or the document cannot reach that state this way."""


class ApprovalRoleError(ApprovalTransitionError):
	"""The transition exists, but none of the user's roles may take it."""


class SelfApprovalError(BRMValidationError):
	"""The approver prepared the document (by its immutable Prepared By) or already gave its first approval."""


class ApprovalPreconditionError(BRMValidationError):
	"""A business case is not ready for approval: requirements not all signed off, or funding not requested."""


class ApprovalCommentRequiredError(BRMValidationError):
	"""Rejecting, sending back or cancelling a decision needs a comment."""


class ApprovalLockedError(BRMValidationError):
	"""A business case awaiting approval cannot be edited; send it back to change it."""


class ApprovalConflictError(BRMValidationError):
	"""Someone else moved the document on at the same moment; reload and act again."""


class ProjectCreationError(BRMValidationError):
	"""A project cannot be made from this business case (not approved, or it has one already)."""


# Access decided on the stored data (issue 13, part A)


class RenameNotAllowedError(frappe.PermissionError):
	"""BRM records keep the name they were given (their doctypes do not allow renaming), on every path."""


class ReferenceAccessError(frappe.PermissionError):
	"""A field names another BRM record the user may not read (or amend), or of another customer."""


class ChildRowDirectChangeError(frappe.PermissionError):
	"""A BRM child row was inserted, saved or deleted on its own instead of through its parent's save."""


class RelationshipManagerChangeError(frappe.PermissionError):
	"""Only a BRM Process Manager or Owner (or System Manager) may hand a portfolio to another manager."""


class FileAccessError(frappe.PermissionError):
	"""A File would point at a private file of a BRM record the user may not read."""


class CustomerSignOffError(frappe.ValidationError):
	"""A customer sign-off cannot be asked for or decided as requested (signatories, state, decisions)."""


class SignOffWriteError(frappe.PermissionError):
	"""A Customer Sign-off record is written only by brm_app's sign-off service: nobody signs for the
	customer (docs/security.md case 33)."""


class SignatoryError(frappe.ValidationError):
	"""A business case's signatory is not one the customer's portfolio names as signing off."""


# Service reviews (issue 18, docs/service-reviews.md)


class ServiceReviewError(BRMValidationError):
	"""A Service Review's period, attendees or action items are not valid."""


class ServiceReviewMailError(frappe.ValidationError):
	"""The Service Review Pack cannot be e-mailed (no outgoing account, no attendee with an e-mail)."""
