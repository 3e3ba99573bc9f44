"""Connects a benchmark to the real site (same FRAPPE_BENCH_PATH / FRAPPE_SITE as the tests)."""

import contextlib
import os
import time

import frappe

from tests.site import bench_path, site_name, why_integration_cannot_run


def connect() -> str:
	reason = why_integration_cannot_run()
	if reason:
		raise SystemExit(f"benchmark needs a site: {reason}")
	bench = bench_path()
	site = site_name(bench)
	os.chdir(bench / "sites")
	frappe.init(site=site, sites_path=str(bench / "sites"))
	frappe.connect()
	frappe.set_user("Administrator")
	return site


def statements() -> int:
	"""Statements this connection has sent so far (MariaDB's own counter, not ours)."""
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


@contextlib.contextmanager
def measure(results: dict, key: str):
	"""Wall time and SQL statements of the block, minus the one statement that reads the counter."""
	before, start = statements(), time.perf_counter()
	yield
	results[key] = {"seconds": time.perf_counter() - start, "statements": statements() - before - 1}


def report(title: str, ours: dict, theirs: dict, theirs_label: str) -> None:
	ratio = theirs["seconds"] / ours["seconds"] if ours["seconds"] else float("inf")
	print(title)
	print(f"  crm_lifecycle:  {ours['seconds']:9.3f} s  {ours['statements']:7d} SQL statements")
	print(f"  {theirs_label}: {theirs['seconds']:9.3f} s  {theirs['statements']:7d} SQL statements")
	print(f"  ratio: {ratio:.1f}x faster")


def clone_invoices(template: str, count: int, prefix: str) -> list[str]:
	"""N submitted, unpaid copies of one real invoice (see clone)."""
	names = [f"{prefix}-{index:06d}" for index in range(count)]
	clone("Sales Invoice", template, [(name,) for name in names])
	return names


def clone(doctype: str, template: str, rows: list[tuple], columns: tuple[str, ...] = ()) -> None:
	"""Copies of one real record, one per row: each row gives the copy's name and then the values
	of `columns`; every other column comes from the template. One INSERT ... SELECT per chunk;
	column names come from the table itself, every value is a bound parameter."""
	known = set(frappe.db.get_table_columns(doctype))
	assert set(columns) <= known, set(columns) - known
	kept = [c for c in known if c != "name" and c not in columns]
	target = ", ".join(f"`{c}`" for c in ("name", *columns, *kept))
	source = ", ".join([f"copies.c{index}" for index in range(len(columns) + 1)] + [f"t.`{c}`" for c in kept])
	for start in range(0, len(rows), 2000):
		chunk = rows[start : start + 2000]
		select = "select " + ", ".join(f"%s as c{index}" for index in range(len(columns) + 1))
		values = " union all ".join([select] * len(chunk))
		frappe.db.sql(
			f"insert into `tab{doctype}` ({target}) select {source} from `tab{doctype}` t "
			f"join ({values}) copies where t.name = %s",
			(*(value for row in chunk for value in row), template),
		)
