"""The desk loads brm_app's scripts from *this* checkout: `scripts/dev` links the bench's
sites/assets/brm_app to it whenever the built assets are reused. A bench built from another checkout (CI
clones main afresh each run) kept a link to that one, the desk then answered 404 for brm_desk.js and every
BRM form, list and report failed with "brm_app is not defined"."""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _assets_link() -> Path:
	return Path(os.environ["BRM_BENCH_DIR"]) / "sites" / "assets" / "brm_app"


def test_the_bench_serves_this_checkouts_public_files():
	assert _assets_link().resolve() == (REPO / "brm_app" / "public").resolve()
	served = _assets_link() / "js" / "brm_desk.js"
	assert served.read_bytes() == (REPO / "brm_app" / "public" / "js" / "brm_desk.js").read_bytes()


def test_a_link_to_another_checkout_is_put_back(tmp_path):
	link = _assets_link()
	elsewhere = tmp_path / "gone" / "brm_app" / "public"
	os.unlink(link)
	os.symlink(elsewhere, link)
	try:
		subprocess.run(
			[str(REPO / "scripts" / "dev"), "assets"], check=True, capture_output=True, timeout=600
		)
	finally:
		if not link.resolve() == (REPO / "brm_app" / "public").resolve():
			os.unlink(link)
			os.symlink(REPO / "brm_app" / "public", link)
	assert Path(os.readlink(link)).resolve() == (REPO / "brm_app" / "public").resolve()
