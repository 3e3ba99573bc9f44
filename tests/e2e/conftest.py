"""Desk and portal flows in a real browser: Playwright (Python) driving Debian's chromium,
headless, against the same real site and `frappe serve` as the integration suite (the site
fixtures come from tests/site_fixtures.py).

Skipped with one line when no browser is available (set CHROMIUM to its path; default
/usr/bin/chromium). Screenshots of each flow's final state go to tests/e2e/artifacts/.

The README's pictures are some of those screenshots: a flow names them (`readme="..."`), and
`CRM_LIFECYCLE_README_SHOTS=docs/screenshots bash tests/run.sh tests/e2e` writes them there, the
size of the browser window (docs/screenshots/README.md).
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("CRM_LIFECYCLE_ARTIFACTS") or Path(__file__).parent / "artifacts")
README_SHOTS = os.environ.get("CRM_LIFECYCLE_README_SHOTS")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _why_no_browser() -> str | None:
	if not Path(CHROMIUM).exists():
		return f"no chromium at {CHROMIUM} (set CHROMIUM)"
	try:
		import playwright.sync_api  # noqa: F401
	except ImportError:
		return "the playwright package is not installed in the bench's env"
	return None


def pytest_collection_modifyitems(config, items):
	reason = _why_no_browser()
	if reason:
		skip = pytest.mark.skip(reason=f"e2e: {reason}")
		for item in items:
			if "tests/e2e" in str(item.fspath):
				item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
	from playwright.sync_api import sync_playwright

	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(
			executable_path=CHROMIUM,
			headless=True,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-quic",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
			],
		)
		yield browser
		browser.close()


def _opener(browser, base_url: str, contexts: list):
	def open_as(user: str, password: str):
		context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
		contexts.append(context)
		response = context.request.post("/api/method/login", form={"usr": user, "pwd": password})
		assert response.ok, response.text()
		page = context.new_page()
		page.set_default_timeout(20_000)
		return page

	return open_as


@pytest.fixture
def login(browser, http_server):
	"""`login(user, password)` -> a Playwright page logged in as that user."""
	contexts = []
	yield _opener(browser, http_server, contexts)
	for context in contexts:
		context.close()


@pytest.fixture
def realtime_login(browser, realtime_server):
	"""`login` on a web server whose desk is connected to Frappe's socket.io server, with a queue
	worker running: background jobs run and their realtime progress reaches the page."""
	contexts = []
	yield _opener(browser, realtime_server, contexts)
	for context in contexts:
		context.close()


@pytest.fixture
def screenshot(request):
	"""`screenshot(page)` saves the flow's final state as <artifacts>/<test>.png; the artifacts
	folder is CRM_LIFECYCLE_ARTIFACTS, else tests/e2e/artifacts, else (not writable) a temp folder."""
	folder = ARTIFACTS
	try:
		folder.mkdir(parents=True, exist_ok=True)
	except PermissionError:
		folder = Path(tempfile.gettempdir()) / "crm_lifecycle_e2e_artifacts"
		folder.mkdir(exist_ok=True)

	def take(page, suffix: str = "", readme: str | None = None):
		path = folder / f"{request.node.name}{suffix}.png"
		page.screenshot(path=str(path), full_page=True)
		if readme and README_SHOTS:
			shots = Path(README_SHOTS)
			shots.mkdir(parents=True, exist_ok=True)
			page.screenshot(path=str(shots / f"{readme}.png"))
		return path

	return take


@pytest.fixture
def desk_users(committed):
	"""`desk_users(roles, count=2)` -> names of committed System Users with those roles."""
	import frappe

	def make(roles: list[str], count: int = 2) -> list[str]:
		frappe.flags.in_import = True  # Frappe throttles user creation; defaults are skipped then
		try:
			return [committed.make_user(roles=roles, enabled=1).name for _ in range(count)]
		finally:
			frappe.flags.in_import = False

	return make
