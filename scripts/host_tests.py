"""ERPNext's (and Helpdesk's) own tests of the doctypes brm_app hooks into, on a site with brm_app and on a
site without it: the host must behave the same with brm_app installed.

Run through `scripts/dev host-tests [DOCTYPE ...]` (the bench's python, from the repository). It makes two
scratch sites from the bench's template (`brm-host-with.localhost` with brm_app, `brm-host-without.localhost`
without), runs `frappe --site S run-tests --doctype D --junit-xml-output …` for each doctype on both (the
two sites side by side, one process each), reads the JUnit reports and prints, per doctype, the tests run,
failed and in error on each site, then every test whose result differs. Exit status 1 when brm_app changes
any result, or when a suite ran no test at all (a suite that fails the same way on both sites is
reported, not counted against brm_app).
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "scripts" / "dev"
# the doctypes brm_app hooks into (brm_app/hooks.py doc_events and dashboards); HD Ticket with Helpdesk
DOCTYPES = (
	"Customer",
	"Issue",
	"Service Level Agreement",
	"Project",
	"Task",
	"Contract",
	"Opportunity",
	"HD Ticket",
)
SITES = {"with": "brm-host-with.localhost", "without": "brm-host-without.localhost"}


def dev(*args: str, log: Path | None = None) -> int:
	if log is None:
		return subprocess.run([str(DEV), *args], check=False).returncode
	with log.open("w") as out:
		return subprocess.run([str(DEV), *args], stdout=out, stderr=subprocess.STDOUT, check=False).returncode


def bench_dir() -> Path:
	return Path(os.environ["BRM_BENCH_DIR"])


def make_site(kind: str) -> None:
	site = SITES[kind]
	args = ["scratch-site", site] + ([] if kind == "with" else ["--without-brm-app"])
	if dev(*args) != 0:
		sys.exit(f"could not create the scratch site {site}")
	dev("frappe", "--site", site, "set-config", "allow_tests", "true")


def on_bench(app: str) -> bool:
	return app in (bench_dir() / "sites" / "apps.txt").read_text().split()


def run_suites(kind: str, doctypes: list[str], out: Path) -> dict[str, dict]:
	"""Run each doctype's tests on the site; returns doctype -> {"tests": {name: outcome}, "rc", "seconds"}."""
	site = SITES[kind]
	results = {}
	for doctype in doctypes:
		slug = doctype.lower().replace(" ", "_")
		xml = out / f"{kind}-{slug}.xml"
		log = out / f"{kind}-{slug}.log"
		xml.unlink(missing_ok=True)
		started = time.monotonic()
		rc = dev(
			"frappe",
			"--site",
			site,
			"run-tests",
			"--doctype",
			doctype,
			"--junit-xml-output",
			str(xml),
			log=log,
		)
		results[doctype] = {
			"tests": read_junit(xml),
			"rc": rc,
			"seconds": round(time.monotonic() - started),
			"log": log,
		}
	return results


def read_junit(path: Path) -> dict[str, str]:
	"""test id -> passed / failed / error / skipped, from a JUnit XML report (empty when there is none)."""
	if not path.exists() or not path.stat().st_size:
		return {}
	outcomes = {}
	for case in ET.parse(path).getroot().iter("testcase"):
		name = f"{case.get('classname')}.{case.get('name')}"
		outcome = "passed"
		for child in case:
			if child.tag in ("failure", "error", "skipped"):
				outcome = {"failure": "failed"}.get(child.tag, child.tag)
		outcomes[name] = outcome
	return outcomes


def counts(result: dict) -> str:
	tests = result["tests"]
	if not tests:
		return f"no report (exit {result['rc']})"
	values = list(tests.values())
	return f"{len(values)} / {values.count('failed')} / {values.count('error')}"


def differences(with_: dict, without: dict) -> list[str]:
	"""The tests whose outcome differs between the two sites (a suite that ran no test counts as one)."""
	lines = []
	for kind, result in (("with brm_app", with_), ("without", without)):
		if not result["tests"]:
			lines.append(f"    {kind}: no test ran (exit {result['rc']}), see {result['log']}")
	for name in sorted(set(with_["tests"]) | set(without["tests"])):
		a, b = with_["tests"].get(name, "missing"), without["tests"].get(name, "missing")
		if a != b:
			lines.append(f"    {name}: with brm_app {a}, without {b}")
	return lines


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("doctypes", nargs="*", help=f"default: {', '.join(DOCTYPES)}")
	parser.add_argument("--keep-sites", action="store_true", help="keep the two scratch sites afterwards")
	args = parser.parse_args()
	doctypes = args.doctypes or [d for d in DOCTYPES if d != "HD Ticket" or on_bench("helpdesk")]
	out = bench_dir() / "logs" / "host-tests"
	out.mkdir(parents=True, exist_ok=True)
	started = time.monotonic()
	with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
		list(pool.map(make_site, SITES))
		futures = {kind: pool.submit(run_suites, kind, doctypes, out) for kind in SITES}
		results = {kind: future.result() for kind, future in futures.items()}
	if not args.keep_sites:
		for site in SITES.values():
			dev("drop-site", site)

	width = max(len(d) for d in doctypes)
	print(f"\nERPNext's own tests, run / failed / errors (logs and JUnit reports in {out})\n")
	print(f"  {'doctype':<{width}}  {'with brm_app':<18}  {'without brm_app':<18}  time (s)   same")
	changed = []
	for doctype in doctypes:
		with_, without = results["with"][doctype], results["without"][doctype]
		diff = differences(with_, without)
		same = "yes" if not diff else "NO"
		print(
			f"  {doctype:<{width}}  {counts(with_):<18}  {counts(without):<18}  "
			f"{with_['seconds']:>4} {without['seconds']:>4}  {same}"
		)
		if diff:
			changed.append((doctype, diff))
	print(f"\n  wall time: {round(time.monotonic() - started)} s")
	for doctype, diff in changed:
		print(f"\n  {doctype}: brm_app changes these results")
		print("\n".join(diff))
	if changed:
		return 1
	print("\n  brm_app changes no result of the host's tests.")
	return 0


if __name__ == "__main__":
	sys.exit(main())
