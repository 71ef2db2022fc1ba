"""Whitelisted endpoints (approvals, portfolio, survey, workspace), and the request parsing they share with
the replaced frappe endpoints (brm_app.access.endpoints)."""

import json


def json_object(value, max_length: int | None = None) -> dict | None:
	"""A request argument as a dict: the dict itself, or a JSON text of one (at most `max_length`
	characters); None for anything else, which the caller refuses with its own message."""
	if isinstance(value, str):
		if max_length is not None and len(value) > max_length:
			return None
		try:
			value = json.loads(value)
		except ValueError:
			return None
	return value if isinstance(value, dict) else None
