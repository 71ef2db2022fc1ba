"""scripts/dev explains a failing bootstrap: with a frappe source that is not a git repository, in a scratch
bench folder, it exits non-zero naming the step and its command, shows the end of the step's log, and
leaves that log under the bench (logs/bootstrap/<step>.log). No site is needed."""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def bootstrap(**env: str) -> subprocess.CompletedProcess:
	"""`scripts/dev bootstrap` with these settings over the environment's."""
	return subprocess.run(
		[str(REPO / "scripts" / "dev"), "bootstrap"],
		capture_output=True,
		text=True,
		env={**os.environ, **env},
		timeout=600,
	)


def test_a_broken_frappe_source_names_the_step_the_command_and_shows_its_log(tmp_path):
	bench = tmp_path / "bench"
	not_a_repo = tmp_path / "not-a-repo"
	not_a_repo.mkdir()
	result = bootstrap(
		BRM_BENCH_DIR=str(bench), BRM_FRAPPE_SOURCE=str(not_a_repo), BRM_FRAPPE_BRANCH="version-15"
	)
	assert result.returncode == 1, result.stdout + result.stderr
	stderr = result.stderr
	assert 'bootstrap step "clone-frappe" failed' in stderr
	assert (
		f"command: git clone -q --branch version-15 --single-branch {not_a_repo} {bench}/apps/frappe"
		in stderr
	)
	log = bench / "logs" / "bootstrap" / "clone-frappe.log"
	assert f"log:     {log}" in stderr
	# the end of the log is shown: git's own reason
	assert "  | fatal:" in stderr
	assert "fatal:" in log.read_text()
	# it stopped there: no Python environment was made
	assert not (bench / "env").exists()


def test_registry_steps_are_retried(tmp_path):
	"""A registry step (here pip with an index that does not exist) is tried BRM_RETRIES times."""
	bench = tmp_path / "bench"
	result = bootstrap(
		BRM_BENCH_DIR=str(bench),
		BRM_WITH_HELPDESK="0",
		BRM_RETRIES="2",
		BRM_RETRY_PAUSE="0",
		PIP_INDEX_URL="http://127.0.0.1:9/simple",
		PIP_EXTRA_INDEX_URL="",
		PIP_FIND_LINKS="",
		PIP_CONFIG_FILE=os.devnull,
		PIP_RETRIES="0",
		PIP_TIMEOUT="2",
	)
	assert result.returncode == 1, result.stdout + result.stderr
	assert "step pip-base failed" in result.stderr
	assert "retrying in 0s (try 2 of 2)" in result.stderr
	assert 'bootstrap step "pip-base" failed' in result.stderr
	log = (bench / "logs" / "bootstrap" / "pip-base.log").read_text()
	assert "# try 1 of 2" in log and "# try 2 of 2" in log
