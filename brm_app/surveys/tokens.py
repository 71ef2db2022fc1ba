"""Survey link tokens (docs/security.md case 12).

A token is ``secrets.token_urlsafe(32)``: 256 bits of randomness, URL-safe. The survey stores only its
SHA-256 (``token_hash``, a unique column), so a copy of the survey table cannot be used to answer. So that
a reminder or a resend carries the *same* link (docs/security.md case 21), the token itself is also kept
encrypted with the site's encryption key in frappe's ``__Auth`` store, and removed once the survey is
closed. Lookups hash the presented token, find the row by its hash and compare the hashes in constant time.
"""

import hashlib
import hmac
import re
import secrets

import frappe
from frappe.utils import get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password, remove_encrypted_password, set_encrypted_password

SURVEY = "Satisfaction Survey"
TOKEN_BYTES = 32
TOKEN_AUTH_FIELD = "brm_survey_token"
# token_urlsafe(32) gives 43 characters; accept a little slack, nothing else
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,86}")
OPEN_STATUSES = ("Sent", "Reminded")
# a hash no token can have: compared against when there is no row, so every path does the same work
_NO_HASH = "0" * 64


def new_token() -> str:
	return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
	return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: object) -> bool:
	return isinstance(token, str) and bool(_TOKEN_SHAPE.fullmatch(token))


def issue_token(survey_name: str) -> str:
	"""Give the survey a fresh token (replacing any earlier one) and return it."""
	token = new_token()
	frappe.db.set_value(SURVEY, survey_name, "token_hash", hash_token(token), update_modified=False)
	set_encrypted_password(SURVEY, survey_name, token, TOKEN_AUTH_FIELD)
	return token


def current_token(survey_name: str) -> str | None:
	"""The survey's live token, for a reminder or a resend; None when it has none (never sent, closed)."""
	if not frappe.db.get_value(SURVEY, survey_name, "token_hash"):
		return None
	return get_decrypted_password(SURVEY, survey_name, TOKEN_AUTH_FIELD, raise_exception=False)


def token_for_sending(survey_name: str) -> str:
	"""The token to put in an e-mail: the live one when there is one, else a new one."""
	return current_token(survey_name) or issue_token(survey_name)


def forget_token(survey_name: str) -> None:
	"""Drop the recoverable copy of a closed survey's token; its hash stays so the link says "used"."""
	remove_encrypted_password(SURVEY, survey_name, TOKEN_AUTH_FIELD)


def find_survey(token: object) -> frappe._dict | None:
	"""The survey row (name, status, expires_on) a token belongs to, or None; no status check."""
	presented = hash_token(token) if well_formed(token) else _NO_HASH
	row = frappe.db.get_value(
		SURVEY, {"token_hash": presented}, ["name", "token_hash", "status", "expires_on"], as_dict=True
	)
	stored = (row.token_hash if row else None) or _NO_HASH
	if not (hmac.compare_digest(stored, presented) and row):
		return None
	return row


def is_open(row: frappe._dict | None) -> bool:
	"""Whether a survey row (from find_survey or a locking read) can still be answered."""
	if not row or row.status not in OPEN_STATUSES:
		return False
	return not (row.expires_on and get_datetime(row.expires_on) <= now_datetime())


def find_open_survey(token: object) -> str | None:
	"""The name of the open survey a token belongs to; None for unknown, used, expired or cancelled."""
	row = find_survey(token)
	return row.name if is_open(row) else None
