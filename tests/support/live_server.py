"""A real frappe web server on loopback for HTTP and browser tests, and clean-up of committed records.

The server is a separate process (`frappe --site SITE serve --port P --noreload`, threaded), so it only
sees committed data: tests that use it commit what they make and register it with `Committed`, which
deletes it again (and commits) when the module is done.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import frappe
import pytest
import requests


def free_port() -> int:
	with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


class LiveServer:
	def __init__(self, site: str):
		self.site = site
		self.port = free_port()
		self.url = f"http://127.0.0.1:{self.port}"
		self.process: subprocess.Popen | None = None
		bench = Path(os.environ["BRM_BENCH_DIR"])
		self.sites_path = bench / "sites"
		self.log_path = bench / "logs" / f"brm-test-server-{self.port}.log"
		self.name = "frappe serve"  # for error messages
		self.headers: dict[str, str] = {}  # sent with the readiness ping
		self.command = [
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			site,
			"serve",
			"--port",
			str(self.port),
			"--noreload",
		]

	def start(self, timeout: float = 90) -> "LiveServer":
		"""Start `self.command` in the bench's sites folder and wait until it answers a ping."""
		self.log_path.parent.mkdir(parents=True, exist_ok=True)
		log = open(self.log_path, "wb")  # handed to the server process, closed when it ends
		self.process = subprocess.Popen(
			self.command,
			cwd=self.sites_path,
			stdout=log,
			stderr=subprocess.STDOUT,
			start_new_session=True,  # its own process group, so stop() ends it and its workers
		)
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
			try:
				ping = requests.get(f"{self.url}/api/method/ping", headers=self.headers, timeout=2)
				if ping.status_code == 200:
					return self
			except requests.RequestException:
				pass
			time.sleep(0.3)
		self.stop()
		raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log_path}")

	def stop(self) -> None:
		if not self.process or self.process.poll() is not None:
			return
		os.killpg(self.process.pid, signal.SIGTERM)
		try:
			self.process.wait(timeout=15)
		except subprocess.TimeoutExpired:
			os.killpg(self.process.pid, signal.SIGKILL)
			self.process.wait(timeout=15)


class Committed:
	"""Records made and committed by a test module, deleted again at the end (children first)."""

	# deletion order: what points at others goes first
	ORDER = (
		"Notification Log",
		"ToDo",
		"Email Queue",
		"Comment",
		"Error Log",
		"Service Opportunity",
		"Satisfaction Survey",
		"Satisfaction Survey Template",
		"Issue",
		"Customer Portfolio",
		"Contact",
		"Customer",
		"Email Account",
		"User",
	)

	def __init__(self):
		self.records: list[tuple[str, str]] = []
		self.started = frappe.utils.now_datetime()

	def add(self, doctype: str, name: str) -> str:
		self.records.append((doctype, str(name)))
		return name

	def add_related(self, doctype: str, name: str) -> None:
		"""Also record what the system made around a record: comments, queued mail, ToDos, error logs."""
		name = str(name)
		for related, filters in (
			("Comment", {"reference_doctype": doctype, "reference_name": name}),
			("Email Queue", {"reference_doctype": doctype, "reference_name": name}),
			("ToDo", {"reference_type": doctype, "reference_name": name}),
			("Error Log", {"reference_doctype": doctype, "reference_name": name}),
		):
			for related_name in frappe.get_all(related, filters=filters, pluck="name"):
				self.add(related, related_name)

	def commit(self) -> None:
		frappe.db.commit()  # nosemgrep: the live server only sees committed data; cleanup() removes it

	def cleanup(self) -> None:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		# pick up what the server made meanwhile around our records
		for doctype, name in list(self.records):
			if doctype in ("Satisfaction Survey", "Issue", "Customer Agreement"):
				self.add_related(doctype, name)
			if doctype == "User":
				for log in frappe.get_all("Notification Log", filters={"for_user": name}, pluck="name"):
					self.add("Notification Log", log)
				for contact in frappe.get_all("Contact", filters={"user": name}, pluck="name"):
					self.add("Contact", contact)
		rank = {doctype: i for i, doctype in enumerate(self.ORDER)}
		seen = set()
		for doctype, name in sorted(self.records, key=lambda r: rank.get(r[0], -1)):
			if (doctype, name) in seen or not frappe.db.exists(doctype, name):
				continue
			seen.add((doctype, name))
			frappe.delete_doc(
				doctype,
				name,
				force=True,
				ignore_permissions=True,
				delete_permanently=True,
				ignore_on_trash=True,
			)
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
		# frappe notes each deletion in the activity feed; Error Log (MyISAM) keeps what the server logged
		frappe.db.delete("Comment", {"comment_type": "Deleted", "creation": (">=", self.started)})
		frappe.db.delete("Error Log", {"creation": (">=", self.started)})
		frappe.db.commit()  # nosemgrep: removes the records the module committed for the live server


# --- module fixtures `committed` and `server`: a test module imports them
# (`from tests.support.live_server import committed_fixture, server_fixture`)


@pytest.fixture(scope="module", name="committed")
def committed_fixture(site):
	tracker = Committed()
	yield tracker
	tracker.cleanup()


@pytest.fixture(scope="module", name="server")
def server_fixture(site, committed):
	live = LiveServer(site).start()
	yield live
	live.stop()
