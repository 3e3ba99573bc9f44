"""Account views and the mass transfer of customers: load, ask core, persist set-based.

A transfer of N customers costs a constant number of statements: one SELECT per thing to
know, one UPDATE per doctype changed (per distinct assignment list for `_assign`) and one
multi-row INSERT of timeline comments. Only for a user restricted by User Permissions does
Frappe check each record (see write_access).
"""

import json

import frappe
from frappe import _
from frappe.query_builder import Criterion, DocType, Order
from frappe.query_builder.functions import Max
from frappe.utils import escape_html, get_fullname, getdate, nowdate

from crm_lifecycle.core import accounts as core
from crm_lifecycle.core import party as party_rules
from crm_lifecycle.services import visibility, write_access
from crm_lifecycle.services.records import add_timeline_entries, update_by_name
from crm_lifecycle.services.transaction import atomic
from crm_lifecycle.services.write_access import refusal_text

DONE_EVENT = "crm_lifecycle_transfer_done"


def view_label(view: core.View) -> str:
	return {
		core.View.MY_ACCOUNTS: _("My Accounts"),
		core.View.NEW_THIS_WEEK: _("New This Week"),
		core.View.NEW_LAST_WEEK: _("New Last Week"),
		core.View.UNREAD: _("Unread"),
		core.View.RECENTLY_VIEWED: _("Recently Viewed"),
		core.View.DEACTIVATED: _("Deactivated"),
		core.View.INVALID: _("Invalid"),
	}[view]


# Views -----------------------------------------------------------------------------------------


def first_day_of_week() -> str:
	"""System Settings' first day of the week, read fresh (Frappe's default: Sunday)."""
	value = frappe.db.get_single_value("System Settings", "first_day_of_the_week", cache=False)
	return value or core.DEFAULT_FIRST_DAY


def viewed_customers(user: str, newest: int | None = None) -> list[str]:
	"""Customers `user` opened (Frappe's View Log, written on every form load because Customer
	tracks views); with `newest`, only that many, most recently opened first."""
	log, customer = DocType("View Log"), DocType("Customer")
	query = (
		frappe.qb.from_(log)
		.join(customer)
		.on(customer.name == log.reference_name)  # deleted customers take no place
		.select(log.reference_name)
		.where((log.viewed_by == user) & (log.reference_doctype == "Customer"))
		.groupby(log.reference_name)
	)
	if newest:
		query = query.orderby(Max(log.creation), order=Order.desc).limit(newest)
	return query.run(pluck=True)


def view(view_name: str, user: str | None = None) -> dict:
	"""The filters of a ready view for the Customer list (names for the View Log ones)."""
	try:
		chosen = core.parse_view(view_name)
	except core.UnknownView:
		frappe.throw(_("Unknown view: {0}").format(view_name), frappe.ValidationError)
	user = user or frappe.session.user
	viewed = []
	if chosen == core.View.UNREAD:
		viewed = viewed_customers(user)
	elif chosen == core.View.RECENTLY_VIEWED:
		viewed = viewed_customers(user, newest=core.RECENT_LIMIT)
	if viewed:
		# what the user opened once but may no longer read is not named back
		allowed = visibility.readable("Customer", viewed, user)
		viewed = [name for name in viewed if name in allowed]
	filters = core.view_filters(chosen, user, getdate(nowdate()), first_day_of_week(), viewed)
	return {
		"view": chosen.value,
		"label": view_label(chosen),
		"filters": [["Customer", *condition] for condition in filters],
		# Recently Viewed: the order the list shows them in
		"order": viewed if chosen == core.View.RECENTLY_VIEWED else None,
	}


# Loading ---------------------------------------------------------------------------------------


def load_accounts(names: list[str]) -> list[core.Account]:
	customer = DocType("Customer")
	rows = (
		frappe.qb.from_(customer)
		.select(customer.name, customer.account_manager)
		.where(customer.name.isin(names))
		.run()
	)
	return [core.Account(name, owner) for name, owner in rows]


def of_customers(table, doctype: str, customers: list[str]):
	"""The condition "the document's party is one of `customers`" (core/party.py says where)."""
	field, type_field, _fixed = party_rules.PARTY_FIELDS[doctype]
	condition = table[field].isin(customers)
	return condition & (table[type_field] == "Customer") if type_field else condition


def open_documents(customers: list[str]) -> list[core.OpenDocument]:
	if not customers:
		return []
	opportunity, quotation = DocType("Opportunity"), DocType("Quotation")
	opportunities = (
		frappe.qb.from_(opportunity)
		.select(opportunity.name, opportunity.party_name, opportunity.opportunity_owner)
		.where(
			of_customers(opportunity, "Opportunity", customers)
			& opportunity.status.isin(core.OPEN_OPPORTUNITY_STATUSES)
			& (opportunity.docstatus < 2)
		)
		.run()
	)
	quotations = (
		frappe.qb.from_(quotation)
		.select(quotation.name, quotation.party_name)
		.where(
			of_customers(quotation, "Quotation", customers)
			& quotation.status.isin(core.OPEN_QUOTATION_STATUSES)
			& (quotation.docstatus < 2)
		)
		.run()
	)
	return [
		core.OpenDocument("Opportunity", name, customer, owner, True)
		for name, customer, owner in opportunities
	] + [core.OpenDocument("Quotation", name, customer) for name, customer in quotations]


def _references(todo, references: list[tuple[str, str]]):
	by_doctype: dict[str, list[str]] = {}
	for doctype, name in references:
		by_doctype.setdefault(doctype, []).append(name)
	return Criterion.any(
		[
			(todo.reference_type == doctype) & todo.reference_name.isin(names)
			for doctype, names in by_doctype.items()
		]
	)


def open_assignments(references: list[tuple[str, str]], users: set[str]) -> list[core.Assignment]:
	if not references or not users:
		return []
	todo = DocType("ToDo")
	rows = (
		frappe.qb.from_(todo)
		.select(todo.name, todo.reference_type, todo.reference_name, todo.allocated_to)
		.where(_references(todo, references) & (todo.status == "Open") & todo.allocated_to.isin(list(users)))
		.orderby(todo.creation)
		.run()
	)
	return [core.Assignment(*row) for row in rows]


def assigned_references(references: list[tuple[str, str]], user: str) -> set[tuple[str, str]]:
	if not references:
		return set()
	todo = DocType("ToDo")
	query = frappe.qb.from_(todo).select(todo.reference_type, todo.reference_name).distinct()
	return set(
		query.where(
			_references(todo, references) & (todo.status == "Open") & (todo.allocated_to == user)
		).run()
	)


# Transfer --------------------------------------------------------------------------------------


def check_new_owner(user: str) -> None:
	row = frappe.db.get_value("User", user, ["enabled", "user_type"], as_dict=True)
	if not row:
		frappe.throw(_("User {0} not found").format(user), frappe.DoesNotExistError)
	if not row.enabled or row.user_type != "System User":
		frappe.throw(
			_("{0} is not an enabled system user and cannot own accounts.").format(user),
			frappe.ValidationError,
		)


def plan(names: list[str], new_owner: str, include_open_documents: bool = False) -> core.TransferPlan:
	"""Load everything the decision needs (plain reads, no locks) and ask core."""
	accounts = load_accounts(names)
	refused = write_access.refusals("Customer", [account.name for account in accounts])
	documents, refused_documents, assignments, new_owner_assigned = [], {}, [], set()
	if include_open_documents:
		moving = [a for a in accounts if a.name not in refused and a.owner != new_owner]
		documents = open_documents([a.name for a in moving])
		for doctype in ("Opportunity", "Quotation"):
			refused_here = write_access.refusals(doctype, [d.name for d in documents if d.doctype == doctype])
			refused_documents.update({(doctype, name): why for name, why in refused_here.items()})
		references = [("Customer", a.name) for a in moving] + [
			(d.doctype, d.name) for d in documents if (d.doctype, d.name) not in refused_documents
		]
		assignments = open_assignments(references, {a.owner for a in moving if a.owner})
		new_owner_assigned = assigned_references(references, new_owner)
	return core.plan_transfer(
		names, accounts, new_owner, refused, documents, refused_documents, assignments, new_owner_assigned
	)


def transfer(names: list[str], new_owner: str, include_open_documents: bool = False, progress=None) -> dict:
	"""Make `new_owner` the account manager of `names` (and, optionally, of their open
	documents and assignments) in one transaction; refused records are reported."""
	check_new_owner(new_owner)
	step = progress or (lambda done, label: None)
	names = list(dict.fromkeys(names))
	step(1, _("Checking permissions"))
	decided = plan(names, new_owner, include_open_documents)
	step(2, _("Moving records"))
	with atomic():
		persist(decided)
		step(3, _("Writing timelines"))
		add_timeline(decided)
	return summary(decided)


def persist(decided: core.TransferPlan) -> None:
	new_owner = decided.new_owner
	update_by_name("Customer", [a.name for a in decided.accounts], {"account_manager": new_owner})
	update_by_name("Opportunity", [d.name for d in decided.documents], {"opportunity_owner": new_owner})
	update_by_name("ToDo", [a.name for a in decided.assignments_to_move], {"allocated_to": new_owner})
	update_by_name("ToDo", [a.name for a in decided.assignments_to_close], {"status": "Cancelled"})
	refresh_assign(decided.changed_references())


def refresh_assign(references: set[tuple[str, str]]) -> None:
	"""`_assign` (the list's "Assigned To") as ToDo.update_in_reference computes it, without
	touching `modified`: one SELECT, one UPDATE per doctype and distinct assignment list."""
	if not references:
		return
	todo = DocType("ToDo")
	live = (
		frappe.qb.from_(todo)
		.select(todo.reference_type, todo.reference_name, todo.allocated_to)
		.where(_references(todo, sorted(references)))
		.where(todo.status.notin(core.LIVE_TODO_EXCLUDED_STATUSES) & (todo.allocated_to != ""))
		.orderby(todo.modified)
		.run()
	)
	groups: dict[tuple[str, str], list[str]] = {}
	for (doctype, name), users in core.assignment_lists(references, live).items():
		groups.setdefault((doctype, json.dumps(users)), []).append(name)
	for (doctype, value), names in groups.items():
		update_by_name(doctype, names, {"_assign": value}, touch=False)


def _timeline_text(doctype: str, changes: list[tuple[str, str | None]], new_owner: str) -> str:
	by = escape_html(get_fullname(frappe.session.user))
	new = frappe.bold(escape_html(get_fullname(new_owner)))
	parts = []
	for kind, previous in changes:
		old = frappe.bold(escape_html(get_fullname(previous))) if previous else None
		if kind == "account":
			parts.append(
				_("Account owner changed from {0} to {1} by {2}").format(old, new, by)
				if old
				else _("Account owner set to {0} by {1}").format(new, by)
			)
		elif kind == "owner":
			parts.append(
				_("{0} owner changed from {1} to {2} with its account, by {3}").format(
					_(doctype), old, new, by
				)
				if old
				else _("{0} owner set to {1} with its account, by {2}").format(_(doctype), new, by)
			)
		else:
			parts.append(_("Assignment moved from {0} to {1} with the account, by {2}").format(old, new, by))
	return ". ".join(parts)


def add_timeline(decided: core.TransferPlan) -> None:
	"""One timeline entry per moved record, written by one INSERT ... SELECT per doctype and
	text (records moved from the same previous owner read the same)."""
	groups: dict[tuple[str, str], list[str]] = {}
	for (doctype, name), changes in decided.timeline().items():
		groups.setdefault((doctype, _timeline_text(doctype, changes, decided.new_owner)), []).append(name)
	for (doctype, content), names in groups.items():
		add_timeline_entries(doctype, names, content)


def summary(decided: core.TransferPlan) -> dict:
	readable = {
		doctype: visibility.readable(
			doctype, [d.name for d, _why in decided.refused_documents if d.doctype == doctype]
		)
		for doctype in {d.doctype for d, _why in decided.refused_documents}
	}
	shown = [(d, why) for d, why in decided.refused_documents if d.name in readable[d.doctype]]
	# a refused customer's owner is told only to those who may read the customer
	refused_readable = visibility.readable("Customer", [r.name for r in decided.results if not r.ok])
	results = [
		{
			"name": r.name,
			"ok": r.ok,
			"moved": r.moved,
			"previous_owner": r.previous_owner if r.ok or r.name in refused_readable else None,
			"documents": r.documents,
			"error": refusal_text("Customer", r.name, r.refused) if r.refused else None,
		}
		for r in decided.results
	]
	return {
		"new_owner": decided.new_owner,
		"moved": sum(1 for r in decided.results if r.moved),
		"unchanged": sum(1 for r in decided.results if r.ok and not r.moved),
		"refused": sum(1 for r in decided.results if not r.ok),
		"documents_moved": len(decided.documents),
		"assignments_moved": len(decided.assignments_to_move),
		"assignments_closed": len(decided.assignments_to_close),
		"results": results,
		"refused_documents": [
			{
				"doctype": document.doctype,
				"name": document.name,
				"customer": document.customer,
				"error": refusal_text(document.doctype, document.name, why),
			}
			for document, why in shown
		],
		# documents the user may not even read are counted, not named
		"refused_documents_hidden": len(decided.refused_documents) - len(shown),
	}


# Background ------------------------------------------------------------------------------------


def enqueue_transfer(names: list[str], new_owner: str, include_open_documents: bool = False) -> dict:
	check_new_owner(new_owner)
	job_id = f"crm_lifecycle_transfer_{frappe.generate_hash(length=12)}"
	frappe.enqueue(
		transfer_job,
		queue="long",
		timeout=3600,
		job_id=job_id,
		enqueue_after_commit=True,  # the worker must see what this request committed
		names=names,
		new_owner=new_owner,
		include_open_documents=include_open_documents,
	)
	return {"queued": True, "job_id": job_id, "count": len(names)}


def transfer_job(names: list[str], new_owner: str, include_open_documents: bool = False) -> dict:
	"""Background job: realtime progress per step, then every record's result for the desk."""
	title = _("Transferring {0} customers").format(len(names))

	def progress(done: int, label: str) -> None:
		frappe.publish_progress(done * 100 / 4, title=title, description=label)

	try:
		result = transfer(names, new_owner, include_open_documents, progress)
	except Exception as error:
		frappe.publish_realtime(
			DONE_EVENT,
			{"action": "transfer", "error": str(error) or type(error).__name__},
			user=frappe.session.user,
		)
		raise
	progress(4, _("Done"))
	frappe.publish_realtime(
		DONE_EVENT, {"action": "transfer", **result}, user=frappe.session.user, after_commit=True
	)
	return result
