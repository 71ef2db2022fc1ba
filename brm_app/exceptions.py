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

