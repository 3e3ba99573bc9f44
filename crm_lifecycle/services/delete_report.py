"""The delete report: every document pointing at a record (Links and Dynamic Links of DocFields,
Custom Fields and Property Setters, child tables and Singles too), counted per doctype, with
names only where the caller may read them. Serves the governance panel's report, the accounts
list's "Delete with Report" and what a merge moves.
"""

import frappe
from frappe.model.dynamic_links import get_dynamic_links
from frappe.model.rename_doc import get_link_fields
from frappe.query_builder import Case, Criterion, DocType
from frappe.query_builder.functions import Count, Sum

from crm_lifecycle.core import governance as core
from crm_lifecycle.services import records, visibility


def _table_links(doctype: str) -> dict[str, list]:
	"""Linking table -> [(fieldname, None)] for Link fields and [(fieldname, options_field)] for
	Dynamic Links, from DocFields, Custom Fields and Property Setters."""
	tables: dict[str, list] = {}
	for field in get_link_fields(doctype):
		tables.setdefault(field["parent"], []).append((field["fieldname"], None))
	for field in get_dynamic_links():
		tables.setdefault(field.parent, []).append((field.fieldname, field.options))
	return tables


def link_counts(doctype: str, name: str) -> list[core.LinkCount]:
	"""Every document pointing at the record, one LinkCount per (linking table, parent doctype)."""
	ignored = set(frappe.get_hooks("ignore_links_on_delete"))
	counts = []
	for table_doctype, fields in _table_links(doctype).items():
		meta = frappe.get_meta(table_doctype)
		if meta.is_virtual:
			continue
		if meta.issingle:
			counts += _single_links(table_doctype, fields, doctype, name, ignored)
			continue
		table = DocType(table_doctype)
		points_here = Criterion.any(
			[
				(table[field] == name) & (table[options] == doctype) if options else table[field] == name
				for field, options in fields
			]
		)
		if meta.istable:
			counts += _row_links(table, points_here, tuple(f for f, _o in fields), ignored)
			continue
		live = Case().when(table.docstatus < 2, 1).else_(0)
		try:
			count, live_count = (
				frappe.qb.from_(table).select(Count("*"), Sum(live)).where(points_here).run()
			)[0]
		except frappe.db.TableMissingError:
			continue
		if not count:
			continue
		names = (
			frappe.qb.from_(table)
			.select(table.name)
			.where(points_here)
			.orderby(table.modified, order=frappe.qb.desc)
			.limit(core.SAMPLE_SIZE)
			.run(pluck=True)
		)
		counts.append(
			core.LinkCount(
				table_doctype,
				tuple(f for f, _o in fields),
				int(count),
				int(live_count or 0),
				tuple(names),
				table_doctype in ignored,
			)
		)
	return counts


def _row_links(table, points_here, fields: tuple, ignored: set) -> list[core.LinkCount]:
	live = Case().when(table.docstatus < 2, table.parent)
	try:
		rows = (
			frappe.qb.from_(table)
			.select(table.parenttype, Count(table.parent).distinct(), Count(live).distinct())
			.where(points_here)
			.groupby(table.parenttype)
			.run()
		)
	except frappe.db.TableMissingError:
		return []
	counts = []
	for parenttype, count, live_count in rows:
		names = (
			frappe.qb.from_(table)
			.select(table.parent)
			.distinct()
			.where(points_here & (table.parenttype == parenttype))
			.limit(core.SAMPLE_SIZE)
			.run(pluck=True)
		)
		counts.append(
			core.LinkCount(
				parenttype, fields, int(count), int(live_count), tuple(names), parenttype in ignored
			)
		)
	return counts


def _single_links(single: str, fields: list, doctype: str, name: str, ignored: set) -> list[core.LinkCount]:
	values = frappe.db.get_singles_dict(single)
	hits = tuple(
		f
		for f, options in fields
		if values.get(f) == name and (not options or values.get(options) == doctype)
	)
	return [core.LinkCount(single, hits, 1, 1, (single,), single in ignored)] if hits else []


def readable_names(group: core.LinkGroup) -> list[str]:
	"""The group's sample names the caller may read (User Permissions included); the rest is
	only in the count."""
	if frappe.get_meta(group.doctype).issingle:
		return list(group.names) if frappe.has_permission(group.doctype, "read") else []
	allowed = visibility.readable(group.doctype, group.names)
	return [name for name in group.names if name in allowed]


def _group_as_dict(group: core.LinkGroup) -> dict:
	return {
		"doctype": group.doctype,
		"count": group.count,
		"names": readable_names(group),
		"fields": group.fields,
		"blocks_delete": group.blocks_delete,
	}


def delete_report(doctype: str, name: str) -> dict:
	"""What points at the record, grouped; whether that blocks deleting it."""
	records.ensure_exists(doctype, name)
	groups = core.group_links(link_counts(doctype, name))
	return {
		"doctype": doctype,
		"name": name,
		"can_delete": not any(group.blocks_delete for group in groups),
		"can_invalidate": doctype in core.INVALIDATABLE_DOCTYPES,
		"total": sum(group.count for group in groups),
		"links": [_group_as_dict(group) for group in groups],
	}
