"""The desk scripts share one helper bundle (public/js/helpers.js): the API method names and the
HTML escape are written there only, so that no script forgets to escape or calls a stale name."""

import re
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "crm_lifecycle" / "public" / "js"
HELPERS = SCRIPTS / "helpers.js"


def _others():
	return [path for path in sorted(SCRIPTS.glob("*.js")) if path != HELPERS]


def test_api_names_are_written_only_in_the_helpers():
	named = {path.name for path in _others() if re.search(r"[\"'`]crm_lifecycle\.api\.", path.read_text())}
	assert named == set()
	assert re.search(r"crm_lifecycle\.api\.", HELPERS.read_text())  # control: the check finds them


def test_every_script_escapes_through_the_one_helper():
	own_escape = {path.name for path in _others() if "escape_html" in path.read_text()}
	assert own_escape == set()
	assert "escape_html" in HELPERS.read_text()  # control


def test_the_helpers_load_before_every_other_script():
	hooks = (SCRIPTS.parents[1] / "hooks.py").read_text()
	includes = re.search(r"app_include_js = \[(.*?)\]", hooks, re.S).group(1)
	assert re.findall(r"/js/([\w.]+\.js)", includes)[0] == "helpers.js"
