"""Where the integration suite finds its Frappe bench and site.

Plain Python: the root conftest imports it to decide, before anything imports frappe,
whether the integration suite can run at all.

- FRAPPE_BENCH_PATH: the bench folder; default /home/frappe/frappe-bench, then ~/frappe-bench.
- FRAPPE_SITE: the site; default the bench's current site (sites/currentsite.txt), then crm.test.
- CRM_LIFECYCLE_REQUIRE_SITE=1: a missing bench or site is an error instead of a skip (CI sets it
  whenever it found a bench).
"""

import importlib.util
import os
from pathlib import Path

DEFAULT_BENCHES = (Path("/home/frappe/frappe-bench"), Path.home() / "frappe-bench")
DEFAULT_SITE = "crm.test"


def bench_path() -> Path | None:
	if os.environ.get("FRAPPE_BENCH_PATH"):
		return Path(os.environ["FRAPPE_BENCH_PATH"])
	return next((path for path in DEFAULT_BENCHES if (path / "sites").is_dir()), None)


def site_name(bench: Path) -> str:
	if os.environ.get("FRAPPE_SITE"):
		return os.environ["FRAPPE_SITE"]
	current = bench / "sites" / "currentsite.txt"
	if current.is_file() and current.read_text().strip():
		return current.read_text().strip()
	return DEFAULT_SITE


def why_integration_cannot_run() -> str | None:
	"""None when the integration suite can run; else one line saying why not."""
	bench = bench_path()
	if os.environ.get("FRAPPE_BENCH_PATH") and not (bench / "sites").is_dir():
		return f"FRAPPE_BENCH_PATH={bench} is not a Frappe bench (it has no sites folder)"
	if bench is None:
		return "no Frappe bench found (set FRAPPE_BENCH_PATH; looked in {})".format(
			", ".join(str(path) for path in DEFAULT_BENCHES)
		)
	site = site_name(bench)
	if not (bench / "sites" / site / "site_config.json").is_file():
		return f"site {site!r} does not exist in {bench}/sites (set FRAPPE_SITE)"
	if importlib.util.find_spec("frappe") is None:
		return f"frappe is not importable here; run the tests with {bench}/env/bin/python"
	return None


if __name__ == "__main__":
	# `python3 tests/site.py` prints "BENCH<TAB>SITE" or "-<TAB>why" for shell scripts.
	reason = why_integration_cannot_run()
	bench = bench_path()
	if reason and (bench is None or not (bench / "sites").is_dir()):
		print(f"-\t{reason}")
	else:
		print(f"{bench}\t{site_name(bench)}")
