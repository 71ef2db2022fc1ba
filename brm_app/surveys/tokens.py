"""Survey link tokens (docs/security.md case 12): the shared link-token mechanism
(brm_app.links.tokens) bound to the Satisfaction Survey. A reminder or a resend carries the *same* link
(case 21); the recoverable copy is dropped once the survey is closed."""

import frappe

from brm_app.links.tokens import TOKEN_BYTES, LinkTokens, hash_token, new_token, well_formed

SURVEY = "Satisfaction Survey"
TOKEN_AUTH_FIELD = "brm_survey_token"
OPEN_STATUSES = ("Sent", "Reminded")
SURVEY_TOKENS = LinkTokens(SURVEY, TOKEN_AUTH_FIELD, OPEN_STATUSES)

__all__ = [
	"TOKEN_BYTES",
	"current_token",
	"find_open_survey",
	"find_survey",
	"forget_token",
	"hash_token",
	"is_open",
	"issue_token",
	"new_token",
	"token_for_sending",
	"well_formed",
]


def issue_token(survey_name: str) -> str:
	return SURVEY_TOKENS.issue(survey_name)


def current_token(survey_name: str) -> str | None:
	return SURVEY_TOKENS.current(survey_name)


def token_for_sending(survey_name: str) -> str:
	return SURVEY_TOKENS.for_sending(survey_name)


def forget_token(survey_name: str) -> None:
	"""The survey is closed (answered, expired, cancelled): its link stops working and its draft answers
	are dropped (docs/rhythm-surveys.md)."""
	SURVEY_TOKENS.forget(survey_name)
	frappe.db.set_value(
		SURVEY, survey_name, {"draft_answers": None, "draft_saved_on": None}, update_modified=False
	)


def find_survey(token: object) -> frappe._dict | None:
	"""The survey row (name, status, expires_on) a token belongs to, or None; no status check."""
	return SURVEY_TOKENS.find(token)


def is_open(row: frappe._dict | None) -> bool:
	return SURVEY_TOKENS.is_open(row)


def find_open_survey(token: object) -> str | None:
	return SURVEY_TOKENS.find_open(token)
