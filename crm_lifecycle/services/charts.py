"""Data of the CRM Lifecycle workspace charts (Dashboard Chart Sources of the app).

Every figure is computed for the user looking at it: records come through get_list (roles,
sharing, User Permissions) or are filtered by visibility.readable; nothing is cached across users
(Frappe's `cache_source`, which its own "Group By" charts use, keeps the first user's figures
for everybody).
"""

import datetime
import json

import frappe
from frappe import _
from frappe.utils import add_months, flt, get_first_day, get_fullname, getdate, now_datetime, nowdate

from crm_lifecycle.core import charts as core
from crm_lifecycle.core.dependencies import Edge, Node
from crm_lifecycle.services import visibility
from crm_lifecycle.services.dependencies import LINKS

MAX_LEVEL_NODES = 50_000


def _dates(filters: dict, default_months: int) -> tuple[datetime.date, datetime.date]:
	to_date = getdate(filters.get("to_date") or nowdate())
	from_date = getdate(filters.get("from_date") or add_months(to_date, -default_months))
	if from_date > to_date:
		frappe.throw(_("The period starts after it ends."), frappe.ValidationError)
	return from_date, to_date


def _edges_from(nodes: set[Node]) -> list[Edge]:
	table = frappe.qb.DocType(LINKS)
	names = sorted({node.name for node in nodes})
	edges = []
	for start in range(0, len(names), 1000):
		rows = (
			frappe.qb.from_(table)
			.select(
				table.source_doctype, table.source_name, table.target_doctype, table.target_name, table.kind
			)
			.where(table.source_name.isin(names[start : start + 1000]))
			.run()
		)
		edges += [Edge(Node(sdt, sn), Node(tdt, tn), kind) for sdt, sn, tdt, tn, kind in rows]
	return [edge for edge in edges if edge.source in nodes]


def funnel(filters: dict) -> dict:
	"""Leads made in the period and how many of them reached an opportunity, a quotation, an order
	and an invoice (through the recorded document links), with the rate against the step before."""
	from_date, to_date = _dates(filters, 3)
	frappe.has_permission("Lead", "read", throw=True)
	leads = frappe.get_list(
		"Lead",
		filters={"creation": ("between", [from_date, to_date])},
		pluck="name",
		limit_page_length=0,
		order_by=None,
	)
	# per lead, walk down the funnel one level at a time; each record remembers its leads
	origin: dict[Node, set[str]] = {Node("Lead", lead): {lead} for lead in leads}
	level = set(origin)
	reached: dict[str, set[str]] = {}
	while level and len(origin) < MAX_LEVEL_NODES:
		edges = _edges_from(level)
		following: set[Node] = set()
		for edge in edges:
			if core.leads_down(edge):
				new = origin.get(edge.target, set()) | origin[edge.source]
				if new != origin.get(edge.target):
					origin[edge.target] = new
					following.add(edge.target)
		level = following
	by_doctype: dict[str, set[str]] = {}
	for node in origin:
		by_doctype.setdefault(node.doctype, set()).add(node.name)
	for doctype in core.FUNNEL[1:]:
		readable = visibility.readable(doctype, by_doctype.get(doctype, ()))  # what the user may read counts
		reached[doctype] = set().union(*(origin[Node(doctype, name)] for name in readable))
	stages = core.funnel(reached, leads)
	return {
		"labels": [
			_(stage.doctype) if stage.rate is None else f"{_(stage.doctype)} ({stage.rate:g} %)"
			for stage in stages
		],
		"datasets": [{"name": _("Leads"), "values": [stage.leads for stage in stages]}],
	}


def held_invoices(filters: dict) -> dict:
	"""Submitted invoices on hold with something outstanding, by days past their due date."""
	frappe.has_permission("Sales Invoice", "read", throw=True)
	today = getdate(filters.get("to_date") or nowdate())
	labels, amounts, counts = [], [], []
	for low, high in core.AGE_BUCKETS:
		conditions = {"docstatus": 1, "crm_reminders_on_hold": 1, "outstanding_amount": (">", 0)}
		earliest, latest = core.due_dates((low, high), today)
		if earliest and latest:
			conditions["due_date"] = ("between", [earliest, latest])
		elif earliest:
			conditions["due_date"] = (">=", earliest)
		else:
			conditions["due_date"] = ("<=", latest)
		labels.append(
			_("over {0} days").format(low - 1) if high is None else _("{0}-{1} days").format(low, high)
		)
		[row] = frappe.get_list(
			"Sales Invoice",
			filters=conditions,
			fields=["count(name) as invoices", "sum(outstanding_amount) as outstanding"],
			order_by=None,
		)
		counts.append(row.invoices or 0)
		amounts.append(flt(row.outstanding))
	return {
		"labels": labels,
		"datasets": [
			{"name": _("Outstanding Amount"), "values": amounts},
			{"name": _("Invoices"), "values": counts},
		],
	}


def deactivations(filters: dict) -> dict:
	"""Deactivations and reactivations of customers per month, from their Versions (each one
	leaves one); only customers the user may read count."""
	from_date, to_date = _dates(filters, 5)
	from_date = getdate(get_first_day(from_date))
	frappe.has_permission("Customer", "read", throw=True)
	Version = frappe.qb.DocType("Version")
	rows = (
		frappe.qb.from_(Version)
		.select(Version.docname, Version.creation, Version.data)
		.where(
			(Version.ref_doctype == "Customer")
			& (Version.creation >= from_date)
			& (Version.creation < getdate(to_date) + datetime.timedelta(days=1))
			& Version.data.like('%"crm_active"%')
		)
		.run(as_dict=True)
	)
	readable = visibility.readable("Customer", {row.docname for row in rows})
	months = core.months(from_date, to_date)
	deactivated = dict.fromkeys(months, 0)
	reactivated = dict.fromkeys(months, 0)
	for row in rows:
		if row.docname not in readable:
			continue
		try:
			change = core.active_change(json.loads(row.data or "{}").get("changed"))
		except ValueError:
			continue
		month = getdate(row.creation).strftime("%Y-%m")
		if change == -1 and month in deactivated:
			deactivated[month] += 1
		elif change == 1 and month in reactivated:
			reactivated[month] += 1
	return {
		"labels": months,
		"datasets": [
			{"name": _("Deactivated"), "values": list(deactivated.values())},
			{"name": _("Reactivated"), "values": list(reactivated.values())},
		],
	}


def locks_per_user() -> dict:
	"""Locks in force (expired ones no longer apply) per holder, most first."""
	frappe.has_permission("Lifecycle Lock", "read", throw=True)
	rows = []
	for in_force in ([["expires_on", "is", "not set"]], [["expires_on", ">", now_datetime()]]):
		rows += frappe.get_list(
			"Lifecycle Lock",
			filters=in_force,
			fields=["locked_by", "count(name) as locks"],
			group_by="locked_by",
			order_by=None,
		)
	per_user: dict[str, int] = {}
	for row in rows:
		per_user[row.locked_by] = per_user.get(row.locked_by, 0) + row.locks
	ordered = sorted(per_user.items(), key=lambda item: (-item[1], item[0] or ""))
	return {
		"labels": [get_fullname(user) for user, _count in ordered],
		"datasets": [{"name": _("Locks"), "values": [count for _user, count in ordered]}],
	}
