"""Decides once, before collection, whether the integration and e2e suites can run here.

When they cannot, they are not collected at all (so nothing imports frappe) and the run
ends with ONE line saying why.
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.site import why_integration_cannot_run

# Property tests keep no example database (the checkout may be read-only for the test user) and
# no deadline: a cold start (imports, first JIT of a strategy) on a busy CI machine is not a failure
# of the property; timings are the benchmarks' business.
settings.register_profile("crm_lifecycle", database=None, deadline=None)
settings.load_profile("crm_lifecycle")

SITE_SUITES = tuple(Path(__file__).parent / suite for suite in ("integration", "e2e"))
_reason = why_integration_cannot_run()
# The site fixtures import frappe: load them only where a site exists.
pytest_plugins = [] if _reason else ["tests.site_fixtures"]


def pytest_configure(config):
	if _reason and os.environ.get("CRM_LIFECYCLE_REQUIRE_SITE") == "1":
		raise pytest.UsageError(f"CRM_LIFECYCLE_REQUIRE_SITE=1 but {_reason}")


def pytest_ignore_collect(collection_path, config):
	if _reason and any(collection_path.is_relative_to(suite) for suite in SITE_SUITES):
		return True
	return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
	if _reason:
		terminalreporter.write_line(f"integration suite skipped: {_reason}")
