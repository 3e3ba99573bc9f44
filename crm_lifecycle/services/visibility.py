"""What a caller may be told: names (and their amounts, addresses, e-mails) only of documents
that pass read permission for that caller, User Permissions and shares included; the rest is
counted, never named.

Read permission is asked from `frappe.get_list`, which applies role permissions, User
Permissions, shares, "if owner" rules and every app's permission query conditions in one
query per doctype (per 500 names), instead of one `has_permission` per document.
"""

from collections.abc import Callable, Iterable

import frappe

CHUNK = 500


def readable(doctype: str, names: Iterable[str], user: str | None = None) -> set[str]:
	"""The subset of `names` the user may read."""
	names = list(dict.fromkeys(name for name in names if name))
	if not names:
		return set()
	user = user or frappe.session.user
	meta = frappe.get_meta(doctype)
	if meta.issingle:  # its one record is named after it, and has no table to list
		return {doctype} & set(names) if frappe.has_permission(doctype, "read", user=user) else set()
	if meta.get("is_virtual"):  # no table either: its records are named to nobody
		return set()
	if frappe.only_has_select_perm(doctype, user=user):
		# "select" lets a user pick names in link fields, which a list would also answer: only
		# what is shared with the user is read (a rare role setup, asked document by document)
		return {name for name in names if frappe.has_permission(doctype, "read", name, user=user)}
	found: set[str] = set()
	for start in range(0, len(names), CHUNK):
		listed = _listed(doctype, user, filters={"name": ("in", names[start : start + CHUNK])}, pluck="name")
		if listed is None:
			return set()
		found.update(listed)
	return found


def can_read(doctype: str, name: str | None, user: str | None = None) -> bool:
	return bool(name) and name in readable(doctype, [name], user)


def split(
	doctype: str, rows: list, name_of: Callable = lambda row: row["name"], user: str | None = None
) -> tuple[list, int]:
	"""(the rows naming a readable document, how many rows were left out)."""
	allowed = readable(doctype, [name_of(row) for row in rows], user)
	kept = [row for row in rows if name_of(row) in allowed]
	return kept, len(rows) - len(kept)


def readable_query(doctype: str, user: str | None = None) -> str | None:
	"""SQL selecting the names of `doctype` the user may read (for an `in (...)` condition), the
	same permission `readable` asks; None when the user may read none of them."""
	user = user or frappe.session.user
	try:
		meta = frappe.get_meta(doctype)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		return None
	if meta.issingle:
		return (
			f"select {frappe.db.escape(doctype)}"
			if frappe.has_permission(doctype, "read", user=user)
			else None
		)
	if meta.get("is_virtual") or frappe.only_has_select_perm(doctype, user=user):
		return None  # nothing, or names the user may only pick in link fields
	query = _listed(doctype, user, fields=["name"], run=False)
	return query if isinstance(query, str) else None


def _listed(doctype: str, user: str, **kwargs):
	"""`frappe.get_list` as `user`, invalid records included (they are hidden from lists, not
	from those who may open them by name); None when the user may list none of them."""
	shown_before = frappe.flags.crm_lifecycle_show_invalid
	frappe.flags.crm_lifecycle_show_invalid = True
	try:
		return frappe.get_list(doctype, limit=0, user=user, ignore_permissions=False, **kwargs)
	except frappe.PermissionError:
		frappe.clear_last_message()
		return None
	finally:
		frappe.flags.crm_lifecycle_show_invalid = shown_before
