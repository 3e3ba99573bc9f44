"""Merge a duplicate customer or contact into another: preview, field choice, conflict checks.

Frappe's rename-merge (frappe.rename_doc(merge=True)) re-points every Link and Dynamic Link
and deletes the source; this module adds what it lacks: the preview of differing fields and
moving links, the choice of values, child rows carried over, conflict checks and the
timeline entry naming the source.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType

from crm_lifecycle.core import governance as core
from crm_lifecycle.services import delete_report, governance, locking, records
from crm_lifecycle.services.transaction import atomic


def check_pair(doctype: str, source: str, target: str) -> None:
	try:
		core.check_merge_pair(doctype, source, target)
	except core.GovernanceRefused as error:
		governance.refuse(error, doctype, source)


def _fields(doc, permission_type: str) -> list[tuple[str, str]]:
	"""The merge's value fields at the permission levels the user has on this record: a field
	behind a level they may not read is neither shown (as Frappe's form leaves it out) nor, when
	they may not write it, taken from the source."""
	return [
		(field, label)
		for field, label in governance.value_fields(doc.meta)
		if doc.has_permlevel_access_to(field, permission_type=permission_type)
	]


def _differences(source_doc, target_doc, permission_type: str):
	fields = [
		field
		for field in _fields(source_doc, permission_type)
		if target_doc.has_permlevel_access_to(field[0], permission_type=permission_type)
	]
	names = [field for field, _label in fields]
	return core.differences(
		{field: source_doc.get(field) for field in names},
		{field: target_doc.get(field) for field in names},
		fields,
	)


def party_profile(name: str) -> core.PartyProfile:
	"""Billing currency and receivable accounts of a customer, from its master and its ledger."""
	customer = frappe.db.get_value("Customer", name, "default_currency")
	gl = DocType("GL Entry")
	ledger = (
		frappe.qb.from_(gl)
		.select(gl.account_currency)
		.distinct()
		.where((gl.party_type == "Customer") & (gl.party == name) & (gl.is_cancelled == 0))
		.run(pluck=True)
	)
	accounts = dict(
		frappe.get_all(
			"Party Account",
			filters={"parenttype": "Customer", "parent": name, "parentfield": "accounts"},
			fields=["company", "account"],
			as_list=True,
		)
	)
	return core.PartyProfile(customer or None, frozenset(filter(None, ledger)), accounts)


def conflict_messages(doctype: str, source: str, target: str) -> list[str]:
	"""Why two customers' ledgers cannot be merged. A currency or account is named only where the
	user may read what it comes from (the customer's field, or its ledger); else the conflict is
	said without it."""
	if doctype != "Customer":
		return []
	profiles = {name: party_profile(name) for name in (source, target)}
	docs = {name: frappe.get_doc("Customer", name) for name in (source, target)}
	messages = []
	for kind, *details in core.merge_conflicts(profiles[source], profiles[target]):
		if kind == "currency":
			if all(_currency_readable(docs[name], profiles[name]) for name in (source, target)):
				message = _("Different billing currencies: {0} bills in {1}, {2} in {3}.").format(
					source, details[0], target, details[1]
				)
			else:
				message = _("Different billing currencies: {0} and {1} bill in different currencies.").format(
					source, target
				)
		elif all(doc.has_permlevel_access_to("accounts") for doc in docs.values()):
			message = _("Different receivable accounts for {0}: {1} uses {2}, {3} uses {4}.").format(
				details[0], source, details[1], target, details[2]
			)
		else:
			message = _(
				"Different receivable accounts: {0} and {1} use different ones for a company."
			).format(source, target)
		messages.append(message)
	return messages


def _currency_readable(doc, profile: core.PartyProfile) -> bool:
	"""Whether the user may read where the customer's billing currency comes from."""
	if profile.billing_currency:
		return doc.has_permlevel_access_to("default_currency")
	try:
		readable = frappe.get_list(
			"GL Entry",
			filters={"party_type": "Customer", "party": doc.name, "is_cancelled": 0},
			fields=["account_currency"],
			distinct=True,
			pluck="account_currency",
		)
	except frappe.PermissionError:
		frappe.clear_last_message()
		return False
	return set(filter(None, readable)) == set(profile.ledger_currencies)


def _carried_rows(source_doc, target_doc) -> dict[str, list[dict]]:
	carried = {}
	for table, key in core.MERGED_TABLES.get(source_doc.doctype, {}).items():
		child_fields = [
			field
			for field, _label in governance.value_fields(
				frappe.get_meta(source_doc.meta.get_field(table).options)
			)
		]
		source_rows = [{f: row.get(f) for f in child_fields} for row in source_doc.get(table)]
		target_rows = [{f: row.get(f) for f in child_fields} for row in target_doc.get(table)]
		rows = core.rows_to_carry(source_rows, target_rows, key)
		if rows:
			carried[table] = rows
	return carried


def preview(doctype: str, source: str, target: str) -> dict:
	check_pair(doctype, source, target)
	source_doc, target_doc = governance.load(doctype, source), governance.load(doctype, target)
	diffs = _differences(source_doc, target_doc, "read")
	moving = core.group_links(delete_report.link_counts(doctype, source))
	locks = {role: locking.status(doctype, name) for role, name in (("source", source), ("target", target))}
	conflicts = conflict_messages(doctype, source, target)
	blocked_by_lock = [status["message"] for status in locks.values() if not status["can_edit"]]
	return {
		"doctype": doctype,
		"source": source,
		"target": target,
		"fields": [
			{"fieldname": d.fieldname, "label": d.label, "source": d.source, "target": d.target}
			for d in diffs
		],
		"rows_carried": {table: len(rows) for table, rows in _carried_rows(source_doc, target_doc).items()},
		"links": [
			{"doctype": g.doctype, "count": g.count, "names": delete_report.readable_names(g)} for g in moving
		],
		"conflicts": conflicts,
		"locks": locks,
		"can_merge": not conflicts and not blocked_by_lock,
	}


def merge(doctype: str, source: str, target: str, keep: dict[str, str] | None = None) -> dict:
	check_pair(doctype, source, target)
	# both records change (the source disappears): held from here, so that a lock taken meanwhile
	# waits for the merge instead of being carried from the source to the target by the rename;
	# a lock held by somebody else refuses (403)
	records.lock_rows(doctype, [source, target])
	source_doc, target_doc = governance.load(doctype, source), governance.load(doctype, target)
	locking.check_write_to(doctype, source)
	locking.check_write_to(doctype, target)
	diffs = _differences(source_doc, target_doc, "write")
	try:
		updates = core.chosen_values(diffs, keep or {})
	except core.GovernanceRefused as error:
		governance.refuse(error, doctype, source)
	conflicts = conflict_messages(doctype, source, target)
	if conflicts:
		frappe.throw("<br>".join(conflicts), frappe.ValidationError, title=_("Cannot Merge"))
	moving = core.group_links(delete_report.link_counts(doctype, source))
	carried = _carried_rows(source_doc, target_doc)
	with atomic():
		# Frappe caches these maps per request; a long-lived process (CLI, tests) may hold a map
		# from before the last linking table got its first row.
		frappe.local.dynamic_link_map = None
		frappe.flags.link_fields = {}
		# Re-point first, then write the chosen values and rows on the target: saving the
		# target first would let other apps' on_update record rows that the re-pointing then
		# duplicates.
		# Dynamic Links first: the rename-merge deletes the source at its end, and ERPNext then
		# deletes contacts and addresses still linked only to it
		# (the source's lock row goes with the source: the rename releases it)
		records.repoint_dynamic_links(doctype, source, target, skip=(locking.LOCK,))
		frappe.rename_doc(doctype, source, target, merge=True, show_alert=False, rebuild_search=False)
		target_doc = frappe.get_doc(doctype, target)
		target_doc.update(updates)
		for table, rows in carried.items():
			for row in rows:
				target_doc.append(table, row)
		target_doc.save()
		kept = ", ".join(sorted(updates)) or _("none")
		target_doc.add_comment(
			"Info",
			_("Merged {0} {1} into this record; values taken from it: {2}.").format(_(doctype), source, kept),
		)
	return {
		"doctype": doctype,
		"target": target,
		"merged": source,
		"values_from_source": sorted(updates),
		"moved": [{"doctype": g.doctype, "count": g.count} for g in moving],
	}
