"""The app's tax on ERPNext's hot paths (issue #17): the same workload on two sites of one bench
holding the same data, one with crm_lifecycle installed and one without.

    <bench>/env/bin/python -m benchmarks.bench_tax [ROUNDS] [--explain] [--ops=OP,...]
      (default 40 rounds, every operation and part; --ops=customer_save,desk_list runs those
      alone, as many rounds of the short ones as the noise of this machine needs)

    <bench>/env/bin/python -m benchmarks.bench_tax --schema-site SITE [--remove]

FRAPPE_TAX_SITES="tax-app.test,tax-plain.test" names the sites (with the app first). The first
may instead be a site without the app that carries the app's schema (--schema-site puts it
there and commits, --remove takes it off): its custom fields and property setters from
crm_lifecycle.setup.custom_fields, but a field whose options name one of the app's own DocTypes
(a contact's portal rights table). Against the plain site it measures what the app's fields cost
ERPNext before any of its code runs; a second plain site there measures what two sites differ by
alone (the method's control).

Each site has a thread of this one process, with its own connection and transaction, as a
threaded web server serves several sites: both share one interpreter, heap and CPU placement.
Each makes the data with plain ERPNext calls, then runs an operation whenever the driver asks,
each like a new request, from a savepoint that is rolled back after it, so every round meets the
same data; per round and operation the driver asks both sites in ABBA order, so drift hits both
alike.
Printed per operation: the median time on each site, the overhead (ratio of the medians;
"paired": median of each round's own ratio, with its 95 % bootstrap interval, which says how
far this machine's noise lets it move), the extra SQL statements (MariaDB's own counter) and a
verdict against the 1 % target: ok (the whole interval within it), over (all of it above) or
noise (the interval straddles it: this machine cannot tell). Below them, timed the same way
without a target, parts of several operations: loading the Customer DocType's meta from the
cache, as every request touching a customer does once (the app's custom fields lengthen it), and
reading one Sales Invoice and one Customer row with every column, as each load of such a
document does (each column the app adds is one more column definition for the driver to parse).
Last, the app's own code in each operation: the time spent in the functions its hooks name,
timed where Frappe calls them (AppTime), and its share of the operation with its interval. What
the overhead holds beyond that share is what the app makes ERPNext's own code do: handle the
fields it adds to a DocType, run the conditions it adds to a query.
--explain adds one more run of each operation: the statements that differ between the sites,
the app's functions by cumulative time (cProfile), and the functions of Frappe, ERPNext and the
libraries called more often on the app's site (what the app makes them do); then 20 unprofiled
runs on each site for the statements whose time differs most between the sites (where the
database, and the driver reading its answers, spend the difference). Nothing is committed;
everything made is rolled back at the end.
"""

import collections
import contextlib
import cProfile
import functools
import gc
import importlib
import json
import os
import pstats
import queue
import random
import re
import statistics
import sys
import threading
import time
import traceback

import frappe

import erpnext

from benchmarks.site import statements
from tests.site import bench_path

WARM_UP = 3
TARGET = 1.0  # per cent
SAVEPOINT = "bench_tax"
ITEMS = [f"TAX-ITEM-{index:02d}" for index in range(1, 21)]
STOCK_ITEM, PORTAL_USER, DESK_USER = "TAX-STOCK-ITEM", "tax-portal@example.com", "tax-desk@example.com"
OPS = "sales_invoice payment_entry delivery_note customer_save item_save portal_list desk_list".split()
# not operations of the issue but part of them, timed the same way to tell where an overhead is
PARTS = ["customer_meta", "invoice_row", "customer_row"]
STATEMENT_RUNS = 20  # --explain: runs of each operation per site for the statements' times
LIST_FIELDS = ["name", "owner", "creation", "modified", "customer_name", "customer_group", "territory"]


# One site, one transaction ---------------------------------------------------------------------


def setup() -> dict:
	"""The data of both sites, made with ERPNext's own API under deterministic names."""

	def insert(doctype: str, **values):
		return frappe.get_doc(doctype=doctype, **values).insert()

	def leaf(doctype: str) -> str:
		return frappe.get_all(doctype, {"is_group": 0}, pluck="name", order_by="lft", limit=1)[0]

	def customer(name: str, **values) -> str:
		values.update(customer_group=leaf("Customer Group"), territory=leaf("Territory"))
		return insert("Customer", customer_name=name, **values).name

	company = frappe.db.get_single_value("Global Defaults", "default_company")
	store = frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, "name", order_by="lft")
	for code in ITEMS:
		insert("Item", item_code=code, item_group=leaf("Item Group"), stock_uom="Nos", is_stock_item=0)
	insert("Item", item_code=STOCK_ITEM, item_group=leaf("Item Group"), stock_uom="Nos", valuation_rate=10)
	# stock for the delivery notes, so that they post a real stock ledger on both sites
	row = {"item_code": STOCK_ITEM, "qty": 100_000, "t_warehouse": store, "basic_rate": 10}
	insert("Stock Entry", stock_entry_type="Material Receipt", company=company, items=[row]).submit()

	data = {"company": company, "store": store, "customer": customer("TAX Bench Customer")}
	for index in range(500):
		customer(f"TAX List Customer {index:04d}")
	unsent = {"send_welcome_email": 0}
	insert("User", email=DESK_USER, first_name="Desk", roles=[{"role": "Sales User"}], **unsent)
	roles = [{"role": "Customer"}]
	insert("User", email=PORTAL_USER, first_name="Portal", user_type="Website User", roles=roles, **unsent)
	# ERPNext's portal lists go by the customer's portal users; the contact links both as well
	portal = customer("TAX Portal Customer", portal_users=[{"user": PORTAL_USER}])
	email = {"email_id": PORTAL_USER, "is_primary": 1}
	link = {"link_doctype": "Customer", "link_name": portal}
	insert("Contact", first_name="Portal", user=PORTAL_USER, email_ids=[email], links=[link])
	for _ in range(30):  # the portal list shows 20 of them
		sales_invoice(data, customer=portal, items=ITEMS[:1])
	data["invoice"] = sales_invoice(data)  # the one every payment entry pays (then undone)
	return data


def sales_invoice(data: dict, customer: str | None = None, items=ITEMS) -> str:
	rows = [{"item_code": code, "qty": 1, "rate": 100} for code in items]
	doc = frappe.get_doc(
		doctype="Sales Invoice", customer=customer or data["customer"], company=data["company"], items=rows
	)
	doc.set_missing_values()
	doc.insert().submit()
	return doc.name


def operations(data: dict) -> dict:
	"""name -> (user, callable); each callable is one operation, timed as a whole."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	def invoice():
		sales_invoice(data)

	def payment():
		entry = get_payment_entry("Sales Invoice", data["invoice"])
		entry.reference_no, entry.reference_date = "TAX", frappe.utils.nowdate()
		entry.insert().submit()

	def delivery():
		row = {"item_code": STOCK_ITEM, "qty": 1, "rate": 100, "warehouse": data["store"]}
		doc = frappe.get_doc(doctype="Delivery Note", customer=data["customer"], company=data["company"])
		doc.append("items", row)
		doc.set_missing_values()
		doc.insert().submit()

	def edit(doctype: str, name: str, field: str):
		def save():
			doc = frappe.get_doc(doctype, name)
			doc.set(field, f"benchmark {time.perf_counter()}")
			doc.save()

		return save

	def call(cmd: str, **form):
		"""A whitelisted method as a request reaches it: frappe.handler.execute_cmd's override
		lookup (the last app's hook wins), its whitelist check, then frappe.call."""
		method = frappe.get_attr((frappe.get_hooks("override_whitelisted_methods", {}).get(cmd) or [cmd])[-1])
		frappe.is_whitelisted(method)
		frappe.local.form_dict = frappe._dict(form)
		return frappe.call(method, **frappe.form_dict)

	def portal_list():
		rows = call("frappe.www.list.get", doctype="Sales Invoice", limit=20, pathname="invoices")
		assert len(rows["result"]) == 20, rows

	def desk_list():
		fields = json.dumps([f"`tabCustomer`.`{field}`" for field in LIST_FIELDS])
		# the arguments Frappe's list view sends (BaseList.get_args, ListView.get_args)
		args = {"doctype": "Customer", "fields": fields, "filters": "[]", "start": 0, "page_length": 500}
		args.update(order_by="`tabCustomer`.`creation` desc", view="List", with_comment_count=1)
		rows = call("frappe.desk.reportview.get", **args)
		assert len(rows["values"]) == 500, len(rows["values"])

	def customer_meta():
		# every request that touches a Customer (its desk list, its save) unpickles the DocType's
		# meta from Redis once (set_user has emptied the request's cache): the app's custom
		# fields lengthen it
		frappe.get_meta("Customer")

	def row(doctype: str, name: str):
		# the parent row as Document.load_from_db reads it, every column: each column the app
		# adds is one more column definition for the driver to parse, whatever the operation
		def read():
			frappe.db.get_value(doctype, name, "*", as_dict=True)

		return read

	admin = "Administrator"
	return {
		"customer_meta": (admin, customer_meta),
		"invoice_row": (admin, row("Sales Invoice", data["invoice"])),
		"customer_row": (admin, row("Customer", data["customer"])),
		"sales_invoice": (admin, invoice),
		"payment_entry": (admin, payment),
		"delivery_note": (admin, delivery),
		"customer_save": (admin, edit("Customer", data["customer"], "customer_details")),
		"item_save": (admin, edit("Item", ITEMS[0], "description")),
		"portal_list": (PORTAL_USER, portal_list),
		"desk_list": (DESK_USER, desk_list),
	}


def normalized(query: str) -> str:
	"""Literals as ?, and no column lists in INSERT / UPDATE (the app's custom fields lengthen them)."""
	query = re.sub(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"", "?", str(query))
	query = re.sub(r"%\(\w+\)s|%s|\b\d+(?:\.\d+)?\b", "?", query)
	query = re.sub(r"\(\s*\?(?:\s*,\s*\?)*\s*\)", "(?)", " ".join(query.split()))
	query = re.sub(r"^(INSERT INTO (?:`[^`]+`|\S+)) \(.*?\) VALUES", r"\1 (...) VALUES", query, flags=re.I)
	return re.sub(r"^(UPDATE (?:`[^`]+`|\S+) SET) .*? (WHERE .*)$", r"\1 ... \2", query, flags=re.I)


@contextlib.contextmanager
def explained(answer: dict, profiled: bool = True):
	"""--explain only: the statements one run sends through frappe.db.sql (normalized) with the
	time each took (frappe.db.sql's own Python included), and, profiled, the app's functions by
	cumulative time in it (cProfile inflates small Python calls most: it points at the heavy
	ones, the timed rounds say what they cost)."""
	original, profile, log = frappe.db.sql, cProfile.Profile(), []

	def sql(query, *args, **kwargs):
		start = time.perf_counter()
		try:
			return original(query, *args, **kwargs)
		finally:
			log.append((normalized(query), (time.perf_counter() - start) * 1000))

	frappe.db.sql = sql
	if profiled:
		profile.enable()
	try:
		yield
	finally:
		profile.disable()
		del frappe.db.sql  # the class's method again
	if not profiled:
		answer.update(log=log[1:-1])  # not the counter's reads
		return
	app = sys.modules.get("crm_lifecycle")
	root = os.path.dirname(app.__file__) + os.sep if app else "<not loaded>"
	stats = pstats.Stats(profile).stats.items()
	functions = [
		(row[3] * 1000, row[1], f"{path.removeprefix(root)}:{name}")  # cumulative ms, calls, where
		for (path, _line, name), row in stats
		if path.startswith(root)
	]
	# every function's calls and own time, to set against the other site's: what the app makes
	# ERPNext's and Frappe's code do more often shows as calls (exact, unlike one run's times)
	everything = {
		f"{where(path)}:{name}": (row[1], row[2] * 1000)  # calls, own ms
		for (path, _line, name), row in stats
	}
	# log: not the counter's reads
	answer.update(log=log[1:-1], app=sorted(functions, reverse=True)[:6], functions=everything)


def where(path: str) -> str:
	"""A source path from its package on (apps/ or site-packages/ cut off), as both sites share it."""
	for marker in ("/site-packages/", "/apps/"):
		if marker in path:
			path = path.rsplit(marker, 1)[1]
	return path


class AppTime:
	"""The app's own code in an operation: every function its hooks name (doc_events, permission
	hooks) and the app's part of its portal-list override, timed where Frappe calls them, in the
	app's site only. The outermost call counts (a hook calling another is not counted twice). The
	two clock reads per call (under a microsecond) are inside the timed operation: they add to the
	app's side, never to the plain site's."""

	EXTRA = ("crm_lifecycle.overrides.portal_pages.restriction",)
	HOOK_KEYS = ("permission_query_conditions", "has_permission", "has_website_permission")

	def __init__(self, thread: threading.Thread):
		self.thread, self.seconds, self.depth, self.functions = thread, 0.0, 0, 0

	def install(self) -> None:
		paths = set(self.EXTRA)
		for events in frappe.get_doc_hooks().values():
			for methods in events.values():
				paths.update(methods)
		for key in self.HOOK_KEYS:
			for methods in frappe.get_hooks(key, {}).values():
				paths.update(methods)
		for path in sorted(path for path in paths if path.startswith("crm_lifecycle.")):
			module_name, name = path.rsplit(".", 1)
			module = importlib.import_module(module_name)
			function = getattr(module, name)
			if not hasattr(function, "__wrapped__"):
				setattr(module, name, self.timed(function))
				self.functions += 1

	def timed(self, function):
		@functools.wraps(function)  # Frappe reads the signature (frappe.call) through __wrapped__
		def timed(*args, **kwargs):
			if self.depth or threading.current_thread() is not self.thread:
				return function(*args, **kwargs)
			self.depth, start = 1, time.perf_counter()
			try:
				return function(*args, **kwargs)
			finally:
				self.seconds += time.perf_counter() - start
				self.depth = 0

		return timed


class Site(threading.Thread):
	"""One site in a thread of this process: its own frappe.local, connection and transaction,
	as a threaded web server (gunicorn gthread) serves several sites from one process. Both
	sites thus share one interpreter, heap and CPU placement: what differs is the app alone."""

	def __init__(self, site: str):
		super().__init__(name=site, daemon=True)
		self.site, self.asks, self.answers = site, queue.Queue(), queue.Queue()
		self.start()

	def ask(self, op: str | None = None, explain: str | None = None) -> dict:
		"""The answer to one operation (or, without one, to the setup); explain: "profiled"
		(statements and cProfile) or "statements" (their times alone)."""
		if op:
			self.asks.put({"op": op, "explain": explain})
		answer = self.answers.get()
		if "error" in answer:
			raise SystemExit(f"{self.site}: {answer['error']}")
		return answer

	def stop(self) -> None:
		self.asks.put(None)
		self.join()

	def run(self) -> None:
		try:
			frappe.init(site=self.site, sites_path=".")
			frappe.connect()
		except Exception:
			self.answers.put({"error": traceback.format_exc()})
			return
		frappe.set_user("Administrator")
		# what a new request starts from; anything an app (or ERPNext) adds to frappe.local or
		# frappe.flags later is per request and dropped before each operation
		local, flags = {key for key, _ in frappe.local}, set(frappe.flags)
		committed = commits()
		try:
			data = setup()
			ops = operations(data)
			versions = {"frappe": frappe.__version__, "erpnext": erpnext.__version__}
			fields = len(frappe.get_meta("Customer").fields)
			schema = app_schema()
			app_time = AppTime(self)
			if "crm_lifecycle" in frappe.get_installed_apps():
				app_time.install()
			self.answers.put(
				{
					**versions,
					"apps": frappe.get_installed_apps(),
					"customer_fields": fields,
					"schema": schema,
					"timed_functions": app_time.functions,
				}
			)
			while ask := self.asks.get():
				user, run = ops[ask["op"]]
				for key in {key for key, _ in frappe.local} - local:
					delattr(frappe.local, key)
				for key in set(frappe.flags) - flags:
					del frappe.flags[key]
				frappe.local.message_log, frappe.db.value_cache = [], {}  # a request's fresh state
				frappe.set_user(user)
				answer = {}
				try:
					# every operation starts from the same data: what it made is undone after it
					frappe.db.savepoint(SAVEPOINT)
					gc.collect()  # not inside the timing: garbage of earlier operations is not this one's
					explain = ask["explain"]
					with explained(answer, explain == "profiled") if explain else contextlib.nullcontext():
						app_time.seconds = 0.0
						before, start = statements(), time.perf_counter()
						run()
						seconds, sent = time.perf_counter() - start, statements() - before - 1
					frappe.db.rollback(save_point=SAVEPOINT)
					app_ms = app_time.seconds * 1000
					self.answers.put({"ms": seconds * 1000, "sql": sent, "app_ms": app_ms, **answer})
				except Exception:
					self.answers.put({"error": traceback.format_exc()})
		except Exception:
			self.answers.put({"error": traceback.format_exc()})
		finally:
			frappe.db.rollback()
			print(
				f"{self.site}: rolled back; COMMITs sent meanwhile: {commits() - committed}", file=sys.stderr
			)
			frappe.destroy()


def schema_fields() -> dict[str, list[dict]]:
	"""The app's custom fields that a site without the app can hold: all but those whose options
	name one of its own DocTypes (named "Lifecycle ..." or "CRM Lifecycle ...")."""
	from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS

	def own(field: dict) -> bool:
		return field["fieldtype"] in ("Link", "Table", "Table MultiSelect") and field.get(
			"options", ""
		).startswith(("Lifecycle ", "CRM Lifecycle "))

	return {doctype: [field for field in rows if not own(field)] for doctype, rows in CUSTOM_FIELDS.items()}


def make_schema_site(site: str, remove: bool = False) -> None:
	"""The app's schema (schema_fields and its property setters) on a site without the app, or,
	with remove, off it again (columns too, as the app's uninstall does)."""
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	from crm_lifecycle.setup import install, uninstall

	os.chdir(bench_path() / "sites")
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		assert "crm_lifecycle" not in frappe.get_installed_apps(), f"{site} has the app itself"
		if remove:
			for doctype, fields in schema_fields().items():
				uninstall.delete_fields(doctype, [field["fieldname"] for field in fields])
			uninstall.delete_property_setters()
		else:
			create_custom_fields(schema_fields(), ignore_validate=True, update=True)
			install.make_property_setters()
		frappe.db.commit()
		print(f"{site}: the app's schema there: {app_schema()}")
	finally:
		frappe.destroy()


def app_schema() -> str:
	"""all, none or some: which of the app's custom fields (schema_fields) and property setters
	the site has."""
	from crm_lifecycle.setup.custom_fields import PROPERTY_SETTERS

	fields = [(doctype, field["fieldname"]) for doctype, rows in schema_fields().items() for field in rows]
	found = sum(bool(frappe.db.exists("Custom Field", {"dt": dt, "fieldname": name})) for dt, name in fields)
	setters = [
		{"doc_type": doctype, "property": prop, "value": value}
		| ({"field_name": fieldname} if fieldname else {"doctype_or_field": "DocType"})
		for doctype, fieldname, prop, value, _type in PROPERTY_SETTERS
	]
	found += sum(bool(frappe.db.exists("Property Setter", filters)) for filters in setters)
	return "all" if found == len(fields) + len(setters) else "some" if found else "none"


def commits() -> int:
	return int(frappe.db.sql("show session status like %s", "Com_commit")[0][1])


# Driver ---------------------------------------------------------------------------------------


def show_differences(app: Site, plain: Site, ops: list[str]) -> None:
	print("One more run of each: statements that differ (+ with the app only, - without it only;")
	print("normalized), and the app's functions by cumulative time in it (cProfile); then, unprofiled,")
	print("the statements whose time differs most between the sites")
	for op in ops:
		ours, theirs = app.ask(op, "profiled"), plain.ask(op, "profiled")
		added = collections.Counter(query for query, _ms in ours["log"])
		missing = collections.Counter(query for query, _ms in theirs["log"])
		print(f"  {op}: {added.total()} against {missing.total()} statements")
		for sign, diff in (("+", added - missing), ("-", missing - added)):
			for query, count in diff.most_common():
				shown = query if len(query) <= 120 else f"{query[:80]} ... {query[-36:]}"
				print(f"    {sign}{count:2d} x {shown}")
		for milliseconds, calls, function in ours["app"]:
			print(f"    {milliseconds:8.2f} ms {calls:4d} calls  {function}")
		print("    called more often with the app (not its own functions), and their own time (one run):")
		for function, calls, milliseconds in more_calls(ours["functions"], theirs["functions"])[:10]:
			print(f"    {calls:+6d} calls {milliseconds:+8.3f} ms  {function}")
		print(
			f"    statements by their time with the app less without it, per run ({STATEMENT_RUNS} runs, ABBA):"
		)
		for query, milliseconds in slower_statements(app, plain, op)[:5]:
			shown = query if len(query) <= 100 else f"{query[:64]} ... {query[-32:]}"
			print(f"    {milliseconds:+8.3f} ms  {shown}")


def slower_statements(app: Site, plain: Site, op: str) -> list[tuple[str, float]]:
	"""Each normalized statement's time on the app's site less that on the plain one, summed over
	the statement's runs in an operation, median of STATEMENT_RUNS runs asked in ABBA order
	(unprofiled): where the database, and the driver reading its answers, spend the difference."""
	runs = []
	for index in range(STATEMENT_RUNS):
		pair = (app, plain) if index % 2 == 0 else (plain, app)
		answers = {site: site.ask(op, "statements")["log"] for site in pair}
		spent = collections.Counter()
		for query, milliseconds in answers[app]:
			spent[query] += milliseconds
		for query, milliseconds in answers[plain]:
			spent[query] -= milliseconds
		runs.append(spent)
	queries = set().union(*runs)
	medians = {query: statistics.median(run.get(query, 0.0) for run in runs) for query in queries}
	return sorted(medians.items(), key=lambda row: -abs(row[1]))


def more_calls(ours: dict, theirs: dict) -> list[tuple[str, int, float]]:
	"""Python functions outside the app called more often on its site: (function, extra calls,
	extra own ms), most extra calls first. Built-ins (len, isinstance, ...) are left out: any
	Python code calls them, they name no cause."""
	extra = []
	for function, (calls, milliseconds) in ours.items():
		if function.startswith(("crm_lifecycle/", "~:")):
			continue
		their_calls, their_ms = theirs.get(function, (0, 0.0))
		if calls > their_calls:
			extra.append((function, calls - their_calls, milliseconds - their_ms))
	return sorted(extra, key=lambda row: (-row[1], row[0]))


def interval(ratios: list[float], resamples: int = 2000) -> tuple[float, float]:
	"""95 % bootstrap interval of the median of the rounds' own ratios (a fixed seed: the same
	answers give the same interval)."""
	rng = random.Random(17)
	medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples))
	return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def main(rounds: int, explain: bool, only: list[str]) -> None:
	sites = os.environ.get("FRAPPE_TAX_SITES", "tax-app.test,tax-plain.test").split(",")
	assert set(only) <= set(OPS + PARTS), f"--ops: not an operation or part: {set(only) - set(OPS + PARTS)}"
	ops = [op for op in OPS if not only or op in only]
	parts = [part for part in PARTS if not only or part in only]
	os.chdir(bench_path() / "sites")
	app, plain = Site(sites[0]), Site(sites[1])
	try:
		ready = {site: site.ask() for site in (app, plain)}  # both set up at the same time
		with_app = "crm_lifecycle" in ready[app]["apps"]
		# the other site is plain ERPNext; the first has the app, or its whole schema, or (a
		# control of the method: what two sites differ by alone) neither
		assert ready[app]["schema"] == "all" or (ready[app]["schema"] == "none" and not with_app), ready
		assert "crm_lifecycle" not in ready[plain]["apps"] and ready[plain]["schema"] == "none", ready
		answers = {(w, op): [] for w in (app, plain) for op in ops + parts}
		for index in range(WARM_UP + rounds):
			for position, op in enumerate(ops + parts):
				for w in (app, plain) if (index + position) % 2 == 0 else (plain, app):
					answer = w.ask(op)
					if index >= WARM_UP:
						answers[w, op].append(answer)

		what = (
			"with the app"
			if with_app
			else "with the app's fields and property setters, not its code"
			if ready[app]["schema"] == "all"
			else "another plain site: a control, both sides the same"
		)
		print(f"Frappe {ready[app]['frappe']} / ERPNext {ready[app]['erpnext']}: {app.site} ({what})")
		print(f"against {plain.site} (without), {rounds} rounds after {WARM_UP} warm-up, ABBA, medians")
		print(
			f"  {'operation':14} {'without':>10} {'with':>10} {'overhead':>9} "
			f"{'paired [95 % interval]':>25}  extra SQL"
		)
		for op in ops + parts:
			if op == (parts or [None])[0]:
				print(
					f"  of which (no target): {op}, {ready[plain]['customer_fields']} fields without the app,"
					f" {ready[app]['customer_fields']} with it; one row of Sales Invoice and of Customer read"
					" with every column (*), as each load of such a document reads it"
				)
			ms = {w: [answer["ms"] for answer in answers[w, op]] for w in (app, plain)}
			sql = {w: statistics.median(answer["sql"] for answer in answers[w, op]) for w in (app, plain)}
			ours, theirs = statistics.median(ms[app]), statistics.median(ms[plain])
			overhead = 100 * (ours / theirs - 1)
			# the median of each round's own ratio (both sites asked back to back), and how far
			# the noise lets it move
			ratios = [a / p for a, p in zip(ms[app], ms[plain], strict=True)]
			paired = 100 * (statistics.median(ratios) - 1)
			low, high = (100 * (bound - 1) for bound in interval(ratios))
			verdict = "ok" if high <= TARGET else "over" if low > TARGET else "noise"
			print(
				f"  {op:14} {theirs:7.2f} ms {ours:7.2f} ms {overhead:+8.2f}% "
				f"{paired:+7.2f}% [{low:+6.2f}, {high:+6.2f}]"
				f"  {sql[app] - sql[plain]:+6g} ({sql[plain]:g} -> {sql[app]:g})"
				f"  {verdict if op in OPS else f'{ours - theirs:+.3f} ms'}"
			)
		print(
			f"  ok: the interval is within {TARGET:g} %; over: all of it is above; noise: the noise"
			" of this machine is larger than the target"
		)
		if with_app:  # a site with the app's schema alone has no code of the app's to time
			print(
				f"The app's own code in each operation ({ready[app]['timed_functions']} functions its hooks"
				" name, timed where Frappe calls them): median per round, its share of the operation"
			)
			for op in ops:
				spent = [answer["app_ms"] for answer in answers[app, op]]
				shares = [answer["app_ms"] / answer["ms"] for answer in answers[app, op]]
				low, high = (100 * bound for bound in interval(shares))
				verdict = "ok" if high <= TARGET else "over" if low > TARGET else "noise"
				print(
					f"  {op:14} {statistics.median(spent):7.3f} ms {100 * statistics.median(shares):7.3f}%"
					f" [{low:6.3f}, {high:6.3f}]  {verdict}"
				)
		if explain:
			show_differences(app, plain, ops)
	finally:
		for site in (app, plain):
			site.stop()  # rolls back


if __name__ == "__main__":
	if sys.argv[1:2] == ["--schema-site"]:
		make_schema_site(sys.argv[2], remove="--remove" in sys.argv)
	else:
		arguments = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
		only = [op for arg in sys.argv[1:] if arg.startswith("--ops=") for op in arg[6:].split(",")]
		main(int(arguments[0]) if arguments else 40, "--explain" in sys.argv, only)
