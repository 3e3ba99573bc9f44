"""Site fixtures for the integration and e2e suites: a pytest plugin that the root conftest
loads only when a bench and site are configured (tests/site.py), so nothing imports frappe
otherwise.

- The site is connected once per session and seeded once (committed, idempotent).
- Every test runs as Administrator unless it switches with `as_user`, and everything it
  wrote is rolled back afterwards, so the database is left as the test found it.
- Tests that must see what an API client or a portal user really sees use `http`, a real
  `frappe serve` on 127.0.0.1; data they need must be committed, through `committed`,
  which deletes it again afterwards.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

import frappe

from tests import factories
from tests.site import bench_path, site_name

BENCH = bench_path()
SITE = site_name(BENCH)
DEFAULT_USER = os.environ.get("CRM_LIFECYCLE_TEST_USER", "Administrator")


SITE_SUITES = tuple(Path(__file__).parent / suite for suite in ("integration", "e2e"))


def needs_site(request) -> bool:
	return any(Path(str(request.node.path)).is_relative_to(suite) for suite in SITE_SUITES)


@pytest.fixture(scope="session")
def frappe_site():
	sites_path = str(BENCH / "sites")
	os.chdir(sites_path)
	frappe.init(site=SITE, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	# Frappe refuses more than 60 new users a minute; the suite makes portal users by the dozen.
	frappe.local.conf.throttle_user_limit = 1_000_000
	if "crm_lifecycle" not in frappe.get_installed_apps():
		pytest.exit(
			f"crm_lifecycle is not installed on {SITE}; run bench --site {SITE} install-app crm_lifecycle"
		)
	factories.seed()
	frappe.db.commit()
	yield SITE
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def rollback(request):
	"""Site tests run as DEFAULT_USER and are rolled back; unit tests are left alone."""
	if not needs_site(request):
		yield
		return
	request.getfixturevalue("frappe_site")
	frappe.set_user(DEFAULT_USER)
	frappe.local.message_log = []
	yield
	frappe.set_user("Administrator")
	factories.delete_notifications()
	frappe.db.rollback()
	frappe.local.message_log = []
	frappe.local.flags.pop("crm_lifecycle", None)


@pytest.fixture
def as_user():
	"""`with as_user("x@example.com"):` runs the block as that user, then switches back."""

	@contextlib.contextmanager
	def switch(user: str):
		previous = frappe.session.user
		frappe.set_user(user)
		try:
			yield
		finally:
			frappe.set_user(previous)

	return switch


@pytest.fixture
def committed():
	"""Factories whose records are committed (visible to other connections) and deleted afterwards."""
	created: list[tuple[str, str]] = []
	with factories.track(created):
		yield factories
		frappe.db.commit()
	frappe.db.rollback()
	frappe.set_user("Administrator")
	_settle_jobs()
	factories.delete_all(created)
	frappe.db.commit()


_workers: list[subprocess.Popen] = []  # the queue worker of the module running, if any


def _settle_jobs(timeout: float = 90) -> None:
	"""With a queue worker running, wait until it has done the jobs the test's commits queued
	(Frappe's own too, such as a new website user's contact, saved again and again while the
	record changes under it), so that deleting the test's records does not race them into a
	deadlock. Never fails: a job still running after `timeout` is the worker's to report."""
	if not any(worker.poll() is None for worker in _workers):
		return
	from frappe.utils.background_jobs import get_queues

	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if all(queue.count == 0 and queue.started_job_registry.count == 0 for queue in get_queues()):
			return
		time.sleep(0.3)


def _free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


def _bench_process(name: str, *args: str, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
	"""A bench command (`frappe ARGS`) run from the sites folder, its output in logs/."""
	return _process(name, [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", *args], env=env)


def _process(name: str, command: list[str], cwd: Path | None = None, env: dict | None = None):
	log_path = BENCH / "logs" / f"crm_lifecycle_test_{name}.log"
	with open(log_path, "ab") as log:
		process = subprocess.Popen(
			command,
			cwd=str(cwd or BENCH / "sites"),
			stdout=log,
			stderr=subprocess.STDOUT,
			env={**os.environ, **(env or {})},
		)
	# .ci/run stops what an aborted run left behind through these files
	process.pid_file = BENCH / "logs" / f"crm_lifecycle_test_{name}.{process.pid}.pid"
	process.pid_file.write_text(str(process.pid))
	return process, log_path


def _serve(name: str, env: dict | None = None):
	"""`frappe serve` on a free port; (process, url) once it answers."""
	port = _free_port()
	process, log_path = _bench_process(
		name, "--site", SITE, "serve", "--port", str(port), "--noreload", env=env
	)
	url = f"http://127.0.0.1:{port}"
	deadline = time.monotonic() + 60
	while True:
		try:
			if requests.get(f"{url}/api/method/ping", timeout=2).ok:
				return process, url
		except requests.ConnectionError:
			pass
		if process.poll() is not None or time.monotonic() > deadline:
			process.kill()
			pytest.fail(f"frappe serve did not come up on {url}; see {log_path}")
		time.sleep(0.3)


def _listening(port: int) -> bool:
	with socket.socket() as sock:
		sock.settimeout(1)
		return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen) -> None:
	process.terminate()
	try:
		process.wait(timeout=20)
	except subprocess.TimeoutExpired:
		process.kill()
	process.pid_file.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def http_server(frappe_site):
	process, url = _serve("server")
	yield url
	_stop(process)


@pytest.fixture(scope="module")
def realtime_server(frappe_site, queue_worker):
	"""What a production bench runs for the desk's live updates: Frappe's socket.io server (on the
	bench's `socketio_port`, unless one already listens there), a queue worker, and a web server
	whose pages connect to that socket.io server (`DEV_SERVER=1`, as `bench start` runs it; behind
	nginx the same happens through /socket.io). Yields the web server's URL."""
	port = int(frappe.get_conf().get("socketio_port") or 9000)
	socketio = None
	if not _listening(port):
		node = shutil.which("node")
		if not node:
			pytest.skip("no node to run Frappe's socket.io server")
		socketio, log_path = _process("socketio", [node, "apps/frappe/socketio.js"], cwd=BENCH)
		deadline = time.monotonic() + 30
		while not _listening(port):
			if socketio.poll() is not None or time.monotonic() > deadline:
				socketio.kill()
				pytest.fail(f"Frappe's socket.io server did not listen on {port}; see {log_path}")
			time.sleep(0.3)
	process, url = _serve("realtime_server", env={"DEV_SERVER": "1"})
	yield url
	_stop(process)
	if socketio:
		_stop(socketio)


@pytest.fixture(scope="module")
def queue_worker(frappe_site):
	"""A real `frappe worker` on every queue, as on a production bench, for the module's tests
	(only those: other modules' committed data is not theirs to process)."""
	from frappe.utils.background_jobs import get_queues

	# Jobs the suite left without a worker (Frappe enqueues one for every deleted record) are
	# not this module's: the worker starts on empty queues.
	for queue in get_queues():
		queue.empty()
	process, log_path = _bench_process("worker", "worker", "--queue", "short,default,long")
	time.sleep(2)
	if process.poll() is not None:
		pytest.fail(f"frappe worker did not start; see {log_path}")
	_workers.append(process)
	yield process
	_workers.remove(process)
	_stop(process)


def eventually(check, timeout: float = 90, what: str = "the background job"):
	"""Poll `check()` (with a fresh view of the database) until it is truthy."""
	deadline = time.monotonic() + timeout
	while True:
		frappe.db.rollback()  # a new snapshot: see what the worker committed
		result = check()
		if result:
			return result
		if time.monotonic() > deadline:
			pytest.fail(f"{what} did not finish within {timeout} s")
		time.sleep(0.5)


class Client:
	"""A logged-in (or guest) HTTP session against the test server."""

	def __init__(self, base_url: str):
		self.base_url = base_url
		self.session = requests.Session()

	def login(self, user: str, password: str) -> "Client":
		response = self.post("/api/method/login", data={"usr": user, "pwd": password})
		assert response.status_code == 200, response.text
		return self

	def get(self, path: str, **kwargs) -> requests.Response:
		return self.session.get(self.base_url + path, timeout=30, **kwargs)

	def post(self, path: str, **kwargs) -> requests.Response:
		return self.session.post(self.base_url + path, timeout=30, **kwargs)


@pytest.fixture
def http(http_server):
	"""`http()` is a guest client; `http(user, password)` is logged in as that user."""

	def client(user: str | None = None, password: str | None = None) -> Client:
		new = Client(http_server)
		return new.login(user, password) if user else new

	return client


def pytest_collection_modifyitems(config, items):
	"""Uninstall/reinstall tests run last, so no other test sees the app half installed."""
	items.sort(key=lambda item: item.get_closest_marker("destructive") is not None)
