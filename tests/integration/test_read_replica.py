"""Reports read from the read replica when the site has one (README "Running BRM at scale").

A second MariaDB server is started on loopback for the module (its own data directory, port and
socket), the test site's database is copied into it with mariadb-dump, the site's database user is
created there, and the site is configured with frappe's `read_from_replica`, `replica_host` and
`replica_db_port`. A portfolio that exists only on the replica then shows up in a BRM report (reports
run under frappe.read_only), and a write made around the report still lands on the primary only.

Needs the MariaDB server binaries (mariadbd, mariadb-install-db, mariadb-dump, mariadb) and root (CI's
case) or an OS user allowed to run mariadbd; the server and the site_config keys are removed afterwards.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import frappe
import pymysql
import pytest
from frappe.installer import update_site_config

REPLICA_KEYS = ("read_from_replica", "replica_host", "replica_db_port")
REPORT = "Customer Health"
BINARIES = ("mariadbd", "mariadb-install-db", "mariadb-dump", "mariadb")


def _binary(name: str) -> str:
	found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/usr/bin")
	if not found:
		pytest.fail(f"{name} not found: the read-replica test needs the MariaDB server binaries")
	return found


def _free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class ReplicaServer:
	"""A throw-away MariaDB server on 127.0.0.1 with a copy of the site's database."""

	def __init__(self):
		self.dir = Path(tempfile.mkdtemp(prefix="brm-replica-"))
		self.datadir = self.dir / "data"
		self.socket = str(self.dir / "mysqld.sock")
		self.port = _free_port()
		self.process = None

	def start(self) -> None:
		as_root = ["--user=root"] if os.geteuid() == 0 else []
		subprocess.run(
			[
				_binary("mariadb-install-db"),
				"--no-defaults",
				f"--datadir={self.datadir}",
				"--auth-root-authentication-method=socket",
				"--skip-test-db",
				*as_root,
			],
			check=True,
			capture_output=True,
		)
		self.process = subprocess.Popen(
			[
				_binary("mariadbd"),
				"--no-defaults",
				f"--datadir={self.datadir}",
				f"--socket={self.socket}",
				f"--port={self.port}",
				"--bind-address=127.0.0.1",
				f"--pid-file={self.dir / 'mysqld.pid'}",
				f"--log-error={self.dir / 'error.log'}",
				"--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_unicode_ci",
				"--skip-log-bin",
				"--innodb-buffer-pool-size=128M",
				"--innodb-flush-log-at-trx-commit=0",
				"--innodb-doublewrite=0",
				# a throw-away copy: one shared tablespace and no fsync make loading ~1000 tables quicker
				"--innodb-file-per-table=0",
				"--innodb-flush-method=nosync",
				*as_root,
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		deadline = time.monotonic() + 30
		while time.monotonic() < deadline:
			try:
				self.root().close()
				return
			except pymysql.err.OperationalError:
				if self.process.poll() is not None:
					break
				time.sleep(0.2)
		raise RuntimeError(f"replica server did not start: {(self.dir / 'error.log').read_text()[-2000:]}")

	def root(self, database: str | None = None):
		return pymysql.connect(
			unix_socket=self.socket, user="root", database=database, autocommit=True, charset="utf8mb4"
		)

	def load_site_database(self, conf) -> None:
		"""The site's user and database on the replica, its data copied from the primary."""
		db_name, password = conf.db_name, conf.db_password
		with self.root() as conn, conn.cursor() as cur:
			cur.execute(f"create database `{db_name}` character set utf8mb4 collate utf8mb4_unicode_ci")
			for host in ("127.0.0.1", "localhost", "%"):
				cur.execute(f"create user '{db_name}'@'{host}' identified by {conn.escape(password)}")
				cur.execute(f"grant all privileges on `{db_name}`.* to '{db_name}'@'{host}'")
		dump = subprocess.Popen(
			[
				_binary("mariadb-dump"),
				"--protocol=tcp",
				f"--host={conf.db_host or '127.0.0.1'}",
				f"--port={conf.db_port or 3306}",
				f"--user={db_name}",
				f"--password={password}",
				"--single-transaction",
				"--quick",
				"--skip-lock-tables",
				"--no-tablespaces",
				db_name,
			],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
		)
		load = subprocess.run(
			[_binary("mariadb"), f"--socket={self.socket}", "--user=root", db_name],
			stdin=dump.stdout,
			capture_output=True,
		)
		dump.stdout.close()
		dump_error = dump.stderr.read()
		if dump.wait() != 0 or load.returncode != 0:
			raise RuntimeError(f"copying the site database failed: {dump_error!r} {load.stderr!r}")

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(timeout=30)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()
		shutil.rmtree(self.dir, ignore_errors=True)


def _forget_replica_connection() -> None:
	"""frappe keeps local.replica_db / local.primary_db after a read_only call (they are reset per
	request or job); drop them so the next read_only call connects to the replica again."""
	for attr in ("replica_db", "primary_db"):
		if hasattr(frappe.local, attr):
			delattr(frappe.local, attr)


@pytest.fixture(scope="module")
def replica(site):
	for name in BINARIES:
		_binary(name)
	server = ReplicaServer()
	try:
		server.start()
		server.load_site_database(frappe.local.conf)
		yield server
	finally:
		server.stop()


@pytest.fixture
def replica_configured(replica):
	"""The site configured to read from the replica: site_config.json and the running process."""
	previous = {key: frappe.local.conf.get(key) for key in REPLICA_KEYS}
	settings = {"read_from_replica": 1, "replica_host": "127.0.0.1", "replica_db_port": replica.port}
	for key, value in settings.items():
		update_site_config(key, value)
	frappe.local.conf.update(frappe.get_site_config())
	_forget_replica_connection()
	try:
		yield replica
	finally:
		_forget_replica_connection()
		config_path = Path(frappe.get_site_path("site_config.json"))
		config = json.loads(config_path.read_text())
		for key in REPLICA_KEYS:
			config.pop(key, None)
			if previous[key] is None:
				frappe.local.conf.pop(key, None)
			else:
				frappe.local.conf[key] = previous[key]
		config_path.write_text(json.dumps(config, indent=1, sort_keys=True))


def _report_portfolios() -> set[str]:
	from frappe.desk.query_report import run

	_forget_replica_connection()
	result = run(REPORT, filters={}, ignore_prepared_report=True, are_default_filters=False)
	names = set()
	for row in result.get("result") or []:
		values = row.values() if isinstance(row, dict) else row
		names.update(value for value in values if isinstance(value, str))
	return names


def _replica_only_portfolio(replica, name: str) -> None:
	"""A customer and its portfolio written to the replica alone (the primary never sees them)."""
	db_name = frappe.local.conf.db_name
	with replica.root(db_name) as conn, conn.cursor() as cur:
		for doctype, values in (
			("Customer", {"name": name, "customer_name": name, "customer_type": "Company"}),
			(
				"Customer Portfolio",
				{
					"name": name,
					"customer": name,
					"customer_name": name,
					"relationship_status": "Active",
					"strategic_importance": "Important",
					"health_score": 42.0,
					"health_rag": "Red",
				},
			),
		):
			values = {**values, "creation": "2026-01-01", "modified": "2026-01-01", "owner": "Administrator"}
			columns = ", ".join(f"`{c}`" for c in values)
			cur.execute(
				f"insert into `tab{doctype}` ({columns}) values ({', '.join(['%s'] * len(values))})",
				list(values.values()),
			)


def _replica_status(replica, *names: str) -> int:
	with replica.root() as conn, conn.cursor() as cur:
		cur.execute("show global status where variable_name in %s", (names,))
		return sum(int(value) for _name, value in cur.fetchall())


def _replica_selects(replica) -> int:
	return _replica_status(replica, "Com_select")


def _replica_writes(replica) -> int:
	return _replica_status(replica, "Com_insert", "Com_update", "Com_delete", "Com_replace")


def test_a_brm_report_and_the_health_job_read_from_the_replica_and_writes_stay_on_the_primary(
	replica_configured,
):
	replica = replica_configured
	assert frappe.db.exists("Report", REPORT), f"{REPORT} is not installed on the test site"
	marker = f"Replica Only Customer {replica.port}"
	_replica_only_portfolio(replica, marker)
	assert not frappe.db.exists("Customer Portfolio", marker)  # not on the primary

	selects_before = _replica_selects(replica)
	assert marker in _report_portfolios()  # the report saw the replica's data
	assert _replica_selects(replica) > selects_before
	assert frappe.db is not getattr(frappe.local, "replica_db", None)  # back on the primary afterwards

	# the health job's read phase reads the replica too (it finds the replica-only portfolio there)
	from brm_app.jobs.health import changed_health

	_forget_replica_connection()
	assert marker in changed_health()

	# a write after the report goes to the primary: the replica's server sees no write statement
	writes_before = _replica_writes(replica)
	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": f"Primary Only {replica.port}", "customer_type": "Company"}
	).insert(ignore_permissions=True)
	frappe.db.set_single_value("BRM Settings", "low_score_threshold", 55)
	assert frappe.db.exists("Customer", customer.name)
	assert frappe.db.get_single_value("BRM Settings", "low_score_threshold") == 55
	assert _replica_writes(replica) == writes_before


def test_without_the_replica_setting_reports_read_the_primary(replica):
	marker = f"Replica Only Customer {replica.port}"
	assert frappe.local.conf.get("read_from_replica") in (None, 0)
	# whatever the first test left on the replica, the primary does not have it
	assert marker not in _report_portfolios()
