"""Single-use link tokens for records answered without a login (docs/security.md cases 12 and 33).

A token is ``secrets.token_urlsafe(32)``: 256 bits of randomness, URL-safe. The record stores only its
SHA-256 (``token_hash``, a unique column), so a copy of the table cannot be used to answer. So that a
reminder or a resend carries the *same* link, the token itself is also kept encrypted with the site's
encryption key in frappe's ``__Auth`` store, and removed once the record is closed. Lookups hash the
presented token, find the row by its hash and compare the hashes in constant time.

`LinkTokens(doctype, auth_field, open_statuses)` binds the mechanism to one doctype: the Satisfaction
Survey (brm_app.surveys.tokens) and the Customer Sign-off (brm_app.signoff.links) use the same code.
"""

import hashlib
import hmac
import re
import secrets

import frappe
from frappe.utils import get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password, remove_encrypted_password, set_encrypted_password

TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters; accept a little slack, nothing else
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,86}")
# a hash no token can have: compared against when there is no row, so every path does the same work
_NO_HASH = "0" * 64


def new_token() -> str:
	return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
	return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: object) -> bool:
	return isinstance(token, str) and bool(_TOKEN_SHAPE.fullmatch(token))


class LinkTokens:
	"""The tokens of one doctype: its rows have `token_hash`, `status` and `expires_on` columns."""

	def __init__(self, doctype: str, auth_field: str, open_statuses: tuple[str, ...]):
		self.doctype = doctype
		self.auth_field = auth_field
		self.open_statuses = open_statuses

	def issue(self, name: str) -> str:
		"""Give the record a fresh token (replacing any earlier one) and return it."""
		token = new_token()
		frappe.db.set_value(self.doctype, name, "token_hash", hash_token(token), update_modified=False)
		set_encrypted_password(self.doctype, name, token, self.auth_field)
		return token

	def current(self, name: str) -> str | None:
		"""The record's live token, for a reminder or a resend; None when it has none (never sent, closed)."""
		if not frappe.db.get_value(self.doctype, name, "token_hash"):
			return None
		return get_decrypted_password(self.doctype, name, self.auth_field, raise_exception=False)

	def for_sending(self, name: str) -> str:
		"""The token to put in an e-mail: the live one when there is one, else a new one."""
		return self.current(name) or self.issue(name)

	def forget(self, name: str) -> None:
		"""Drop the recoverable copy of a closed record's token; its hash stays so the link says "used"."""
		remove_encrypted_password(self.doctype, name, self.auth_field)

	def find(self, token: object, fields: tuple[str, ...] = ()) -> frappe._dict | None:
		"""The row (name, status, expires_on and `fields`) a token belongs to, or None; no status check."""
		presented = hash_token(token) if well_formed(token) else _NO_HASH
		row = frappe.db.get_value(
			self.doctype,
			{"token_hash": presented},
			["name", "token_hash", "status", "expires_on", *fields],
			as_dict=True,
		)
		stored = (row.token_hash if row else None) or _NO_HASH
		if not (hmac.compare_digest(stored, presented) and row):
			return None
		return row

	def is_open(self, row: frappe._dict | None) -> bool:
		"""Whether a row (from `find` or a locking read) can still be answered."""
		if not row or row.status not in self.open_statuses:
			return False
		return not (row.expires_on and get_datetime(row.expires_on) <= now_datetime())

	def find_open(self, token: object) -> str | None:
		"""The name of the open record a token belongs to; None for unknown, used, expired or closed."""
		row = self.find(token)
		return row.name if self.is_open(row) else None
