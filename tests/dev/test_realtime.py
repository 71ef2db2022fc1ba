"""`scripts/dev run` serves realtime: frappe's socket.io server (started by `scripts/dev realtime`, which
`run` starts next to web, worker and scheduler) answers the Engine.IO handshake, and a desk session
(frappe's sid cookie) joins the site's namespace, authenticated by the web server as the desk's would be."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.support.live_server import LiveServer, free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def realtime():
	port = free_port()
	log = Path(os.environ["BRM_BENCH_DIR"]) / "logs" / f"brm-test-socketio-{port}.log"
	with log.open("wb") as out:
		process = subprocess.Popen(
			[str(REPO / "scripts" / "dev"), "realtime"],
			# as `scripts/dev run` serves the dev site, this serves the test site on 127.0.0.1
			env={**os.environ, "BRM_SOCKETIO_PORT": str(port), "BRM_SITE": os.environ["BRM_TEST_SITE"]},
			stdout=out,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
	url = f"http://127.0.0.1:{port}"
	try:
		deadline = time.monotonic() + 60
		while time.monotonic() < deadline:
			assert process.poll() is None, log.read_text()
			try:
				requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=2)
				break
			except requests.ConnectionError:
				time.sleep(0.5)
		yield url
	finally:
		os.killpg(process.pid, signal.SIGTERM)
		process.wait(timeout=30)


@pytest.fixture(scope="module")
def web(site):
	live = LiveServer(site).start()
	yield live
	live.stop()


def handshake(url: str, headers: dict | None = None) -> str:
	response = requests.get(f"{url}/socket.io/?EIO=4&transport=polling", headers=headers or {}, timeout=10)
	assert response.status_code == 200, response.text
	match = re.match(r'^0\{"sid":"([^"]+)"', response.text)
	assert match, response.text
	return match.group(1)


def test_the_engine_io_handshake_answers(realtime):
	assert len(handshake(realtime)) >= 16


def test_a_desk_session_joins_the_sites_namespace(site, realtime, web):
	login = requests.post(
		f"{web.url}/api/method/login",
		data={"usr": "Administrator", "pwd": os.environ.get("BRM_ADMIN_PASSWORD", "admin")},
		timeout=30,
	)
	assert login.status_code == 200, login.text
	# what the desk's socket.io client sends from http://127.0.0.1:<web port>: no site header
	headers = {"Origin": web.url, "Cookie": f"sid={login.cookies['sid']}"}
	sid = handshake(realtime, headers)
	poll = f"{realtime}/socket.io/?EIO=4&transport=polling&sid={sid}"
	assert requests.post(poll, data=f"40/{site},", headers=headers, timeout=10).text == "ok"
	answer = requests.get(poll, headers=headers, timeout=30).text
	assert answer.startswith(f'40/{site},{{"sid":'), answer


def test_a_request_without_a_session_is_refused(site, realtime, web):
	headers = {"Origin": web.url}
	sid = handshake(realtime, headers)
	poll = f"{realtime}/socket.io/?EIO=4&transport=polling&sid={sid}"
	requests.post(poll, data=f"40/{site},", headers=headers, timeout=10)
	answer = requests.get(poll, headers=headers, timeout=30).text
	assert answer.startswith(f"44/{site},"), answer
	assert "No cookie transmitted" in answer
