"""Throttling of the public link pages and endpoints - surveys and customer sign-offs (threat model cases
12, 29 and 33).

The token is looked up first: a valid, open link always answers, whatever else is going on, so a flood of
invalid links cannot lock respondents out (case 29). What is limited is failure: each real client address
has a budget of failed token lookups (unknown, used, expired, cancelled, malformed) per time window; once it
is spent, that client's failed lookups are answered 429 instead of 410 until the window ends. A token is 256
random bits (brm_app.links.tokens), so a budget of guesses is not what keeps it secret; the budget keeps a
guessing client's answers uninformative and shows the flood.

The client's real address (`client_address`): the socket peer, unless the peer is one of the reverse
proxies declared in the site config key ``brm_trusted_proxies`` (addresses or networks, README "Survey
links behind a reverse proxy"); then the X-Forwarded-For chain is read from the right, past the trusted
proxies, and the first address not trusted is the client. An X-Forwarded-For sent by anyone else is
ignored, so rotating it gains nothing (frappe's own ``rate_limit`` keys on the header's first entry, which
the client writes: it is not used here).

Counters live in Redis (frappe.cache) with the window as expiry.
"""

import ipaddress
import time

import frappe
from frappe import _

WINDOW_SECONDS = 10 * 60
# failed token lookups per real client address and window
CLIENT_FAILURE_LIMIT = 100
TRUSTED_PROXIES_KEY = "brm_trusted_proxies"


class SurveyRateLimitError(frappe.TooManyRequestsError):
	"""Too many failed survey link attempts from one client: answered with HTTP 429."""

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


# --- the client's real address --------------------------------------------------------------------------


def trusted_proxies() -> list:
	"""The networks of the declared reverse proxies (site config `brm_trusted_proxies`: a list, or a
	comma-separated string, of addresses / CIDR networks). Entries that are not addresses are ignored."""
	configured = frappe.conf.get(TRUSTED_PROXIES_KEY) or []
	if isinstance(configured, str):
		configured = configured.split(",")
	networks = []
	for entry in configured:
		try:
			networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
		except ValueError:
			continue
	return networks


def _trusted(address: str, networks: list) -> bool:
	try:
		ip = ipaddress.ip_address(address)
	except ValueError:
		return False
	return any(ip.version == net.version and ip in net for net in networks)


def _peer(request) -> str:
	environ = getattr(request, "environ", None) or {}
	# werkzeug's ProxyFix (frappe serve --proxy) moves the socket peer here
	original = (environ.get("werkzeug.proxy_fix.orig") or {}).get("REMOTE_ADDR")
	return original or environ.get("REMOTE_ADDR") or getattr(request, "remote_addr", None) or "unknown"


def client_address() -> str:
	"""The address of the client that sent the current request, as far as it can be trusted."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return "unknown"
	peer = _peer(request)
	networks = trusted_proxies()
	if not networks or not _trusted(peer, networks):
		return peer
	chain = [
		entry.strip()
		for header in request.headers.getlist("X-Forwarded-For")
		for entry in header.split(",")
		if entry.strip()
	]
	for entry in reversed(chain):
		if not _trusted(entry, networks):
			return entry
	return chain[0] if chain else peer


# --- budgets --------------------------------------------------------------------------------------------


def refuse() -> None:
	frappe.throw(
		_("Too many attempts. Please wait a few minutes and try again."),
		exc=SurveyRateLimitError,
		title=_("Too Many Requests"),
	)


def over_budget() -> bool:
	"""Whether the current client has spent its failure budget of this window."""
	return _count(f"failures:{client_address()}") >= CLIENT_FAILURE_LIMIT


def record_failure() -> None:
	"""After a failed token lookup: count it for the client; raise 429 once its budget is spent (the
	caller answers 410 otherwise)."""
	if _increment(f"failures:{client_address()}") > CLIENT_FAILURE_LIMIT:
		refuse()


def reset() -> None:
	"""Clear the current window's counters (tests, or an administrator after an attack)."""
	frappe.cache.delete_keys("brm:survey-guard:")
