"""Time `issue.save()` when an Issue is closed, with and without brm_app's Issue hook, in one run.

    BRM_BENCH_DIR=... scripts/dev python scripts/bench_issue_close.py --site brm-test.localhost [--runs 40]

Worst case for the hook: sampling 100 % and a new contact per ticket, so every close schedules a survey.
The two arms alternate ticket by ticket in one process and one transaction (rolled back at the end:
nothing is left on the site); "without" takes brm_app's handler out of frappe's doc_events for Issue.

The hook only enqueues the survey job to run after commit, so the script then runs that job for each timed
ticket itself and reports its time too: that is what a background worker spends, off the agent's save.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HOOK = "brm_app.integrations.tickets.on_issue_update"


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default=os.environ.get("BRM_TEST_SITE", "brm-test.localhost"))
	parser.add_argument("--runs", type=int, default=40, help="closes per arm (default 40)")
	parser.add_argument("--warmup", type=int, default=5, help="untimed closes per arm first (default 5)")
	args = parser.parse_args()

	bench = Path(os.environ.get("BRM_BENCH_DIR", Path.home() / ".local/share/brm_app/bench"))
	os.chdir(bench / "sites")
	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		with_hook, without_hook, job_times, surveys = run(frappe, args.runs, args.warmup)
	finally:
		frappe.db.rollback()
		frappe.destroy()

	def describe(label, samples):
		ms = sorted(s * 1000 for s in samples)
		p90 = ms[int(len(ms) * 0.9) - 1]
		print(f"{label:<14} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   n={len(ms)}")

	print(f"site {args.site}: Issue close (status Open -> Closed, issue.save())")
	describe("with hook", with_hook)
	describe("without hook", without_hook)
	ratio = statistics.median(with_hook) / statistics.median(without_hook)
	print(f"ratio (median with / without): {ratio:.2f}")
	describe("survey job", job_times)
	print(f"(background worker, after commit; surveys scheduled by it for the timed closes: {surveys})")
	return 0


def run(frappe, runs: int, warmup: int):
	from frappe.utils import random_string

	frappe.db.set_single_value("BRM Settings", {"survey_sampling_percent": 100, "contact_throttle_days": 30})
	frappe.clear_document_cache("BRM Settings", "BRM Settings")
	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": f"Bench {random_string(8)}", "customer_type": "Company"}
	).insert(ignore_permissions=True)
	if not frappe.db.exists("Customer Portfolio", customer.name):
		frappe.get_doc({"doctype": "Customer Portfolio", "customer": customer.name}).insert(
			ignore_permissions=True
		)

	def open_issue():
		email = f"bench-{random_string(10).lower()}@example.com"
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": f"Bench {random_string(6)}",
				"email_ids": [{"email_id": email, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert(ignore_permissions=True)
		return frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": f"Bench ticket {random_string(6)}",
				"customer": customer.name,
				"contact": contact.name,
				"raised_by": email,
				"status": "Open",
			}
		).insert(ignore_permissions=True)

	hooks = frappe.get_doc_hooks()
	full = list(hooks.get("Issue", {}).get("on_update", []))
	assert HOOK in full, f"{HOOK} is not hooked on Issue.on_update"
	stripped = [h for h in full if h != HOOK]

	def close(issue, hooked: bool) -> float:
		hooks.setdefault("Issue", {})["on_update"] = full if hooked else stripped
		issue.status = "Closed"
		started = time.perf_counter()
		issue.save(ignore_permissions=True)
		elapsed = time.perf_counter() - started
		hooks["Issue"]["on_update"] = full
		return elapsed

	for n in range(warmup):
		close(open_issue(), n % 2 == 0)
		close(open_issue(), n % 2 == 1)

	with_hook, without_hook, timed = [], [], []
	for n in range(runs):
		# alternate which arm goes first, so drift (caches, buffer pool) hits both alike
		for hooked in (True, False) if n % 2 == 0 else (False, True):
			issue = open_issue()
			(with_hook if hooked else without_hook).append(close(issue, hooked))
			if hooked:
				timed.append(issue.name)
	from brm_app.integrations.tickets import schedule_survey_for_ticket

	job_times = []
	for name in timed:
		started = time.perf_counter()
		schedule_survey_for_ticket("Issue", name)
		job_times.append(time.perf_counter() - started)
	surveys = frappe.db.count(
		"Satisfaction Survey", {"reference_doctype": "Issue", "reference_name": ("in", timed)}
	)
	return with_hook, without_hook, job_times, surveys


if __name__ == "__main__":
	sys.exit(main())
