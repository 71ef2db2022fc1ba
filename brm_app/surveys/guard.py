"""Throttling of the public survey page and endpoint (SECURITY.md case 12).

frappe's ``rate_limit`` keys its counter by ``frappe.local.request_ip``, which frappe takes from the first
``X-Forwarded-For`` entry when the header is present: a client can rotate that header and get a fresh
budget each time. So on top of it:

- every failed token lookup (unknown, used, expired, cancelled, malformed) counts against one budget for the
  whole site per time window; once it is spent, every token lookup is answered 429 until the window ends,
  whatever address the requests claim to come from;
- each claimed client address has a small budget of lookups per window (as frappe's limit), and each
  socket peer address a larger one (behind a reverse proxy every request has the proxy as peer, so that one
  only caps floods).

Counters live in Redis (frappe.cache) with the window as expiry.
"""

import time

import frappe
from frappe import _

WINDOW_SECONDS = 10 * 60
# failed token lookups, all clients together, per window
GLOBAL_FAILURE_LIMIT = 100
# token lookups (page views and submissions) per window, per claimed address and per socket peer
CLAIMED_LIMIT = 30
PEER_LIMIT = 600


class SurveyRateLimitError(frappe.TooManyRequestsError):
	"""Too many survey link attempts: answered with HTTP 429."""

	http_status_code = 429


def _window() -> int:
	return int(time.time()) // WINDOW_SECONDS


def _key(name: str) -> str:
	return frappe.cache.make_key(f"brm:survey-guard:{name}:{_window()}")


def _count(name: str) -> int:
	return int(frappe.cache.get(_key(name)) or 0)


def _increment(name: str) -> int:
	key = _key(name)
	value = frappe.cache.incrby(key, 1)
	if value == 1:
		frappe.cache.expire(key, WINDOW_SECONDS)
	return value


def client_budgets() -> list[tuple[str, int]]:
	"""(counter, limit) pairs a request counts against: its socket peer (cannot be forged) and the address it
	claims (X-Forwarded-For, as frappe.local.request_ip)."""
	request = getattr(frappe.local, "request", None)
	peer = (getattr(request, "remote_addr", None) if request else None) or "unknown"
	claimed = getattr(frappe.local, "request_ip", None) or peer
	return [(f"peer:{peer}", PEER_LIMIT), (f"ip:{claimed}", CLAIMED_LIMIT)]


def refuse() -> None:
	frappe.throw(
		_("Too many attempts. Please wait a few minutes and try again."),
		exc=SurveyRateLimitError,
		title=_("Too Many Requests"),
	)


def check() -> None:
	"""Before a token lookup: refuse when the site-wide failure budget or the client's budget is spent."""
	if _count("failures") >= GLOBAL_FAILURE_LIMIT:
		refuse()
	over = False
	for counter, limit in client_budgets():
		# count under every budget before deciding, so each request is counted everywhere
		over = _increment(counter) > limit or over
	if over:
		refuse()


def record_failure() -> None:
	"""After a failed token lookup."""
	_increment("failures")


def reset() -> None:
	"""Clear the current window's counters (tests, or an administrator after an attack)."""
	frappe.cache.delete_keys("brm:survey-guard:")
