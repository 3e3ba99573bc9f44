"""The README shows only pictures the browser suite takes (docs/screenshots/README.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def named_in_flows() -> set[str]:
	names = set()
	for flow in (ROOT / "tests" / "e2e").glob("test_*.py"):
		names |= set(re.findall(r'readme="([a-z0-9-]+)"', flow.read_text(encoding="utf-8")))
	return names


def test_every_picture_of_the_readme_is_taken_by_a_flow_and_committed():
	shown = set(
		re.findall(r"docs/screenshots/([a-z0-9-]+)\.png", (ROOT / "README.md").read_text(encoding="utf-8"))
	)
	taken = named_in_flows()
	committed = {path.stem for path in (ROOT / "docs" / "screenshots").glob("*.png")}
	assert shown, "the README shows no picture"
	assert shown <= taken, f"pictures no flow takes: {sorted(shown - taken)}"
	assert shown <= committed, f"pictures not committed: {sorted(shown - committed)}"
	assert committed <= shown, f"committed pictures the README does not show: {sorted(committed - shown)}"
