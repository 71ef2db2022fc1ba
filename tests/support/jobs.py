"""Run the background jobs queued for the test site, as a worker would (no worker runs during the tests).

`run_site_jobs(site)` takes the site's jobs from the bench's queues (other sites' jobs are left where they
are) and runs each in a separate process through frappe's own `execute_job` — a fresh connection, the job's
user, commit on success — until none is left. Tests use it to see what a job that a request queued really
does: the live server only enqueues.
"""

import os
import subprocess
import sys

import frappe

RUNNER = r"""
import sys
import traceback

import frappe
from frappe.utils.background_jobs import get_queues

site, rounds = sys.argv[1], int(sys.argv[2])
done = 0
for _ in range(rounds):
	frappe.init(site=site)
	jobs = [job for queue in get_queues() for job in queue.get_jobs() if (job.kwargs or {}).get("site") == site]
	frappe.destroy()
	if not jobs:
		break
	for job in jobs:
		try:
			job.perform()  # frappe.utils.background_jobs.execute_job(site, method, ..., user)
		except Exception:
			traceback.print_exc()
		finally:
			job.delete()
		done += 1
print(f"jobs run: {done}")
"""


def run_site_jobs(site: str, rounds: int = 5) -> int:
	"""Run (and remove) every job queued for `site`, and the jobs those queue, `rounds` times at most.
	Returns how many jobs ran."""
	frappe.db.rollback()  # what the jobs commit is seen afterwards
	result = subprocess.run(
		[sys.executable, "-c", RUNNER, site, str(rounds)],
		cwd=frappe.local.sites_path,
		env={**os.environ},
		capture_output=True,
		text=True,
		timeout=600,
		check=False,
	)
	assert result.returncode == 0, result.stdout + result.stderr
	last = [line for line in result.stdout.splitlines() if line.startswith("jobs run: ")]
	assert last, result.stdout + result.stderr
	return int(last[-1].removeprefix("jobs run: "))


def queued_site_jobs(site: str) -> list[str]:
	"""The methods of the jobs queued for `site` (frappe's job_name: the dotted path of the function)."""
	from frappe.utils.background_jobs import get_queues

	return [
		(job.kwargs or {}).get("job_name")
		for queue in get_queues()
		for job in queue.get_jobs()
		if (job.kwargs or {}).get("site") == site
	]
