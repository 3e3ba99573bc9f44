"""Which of many records the session user may change, in a few queries, not one per record.

Bulk actions (the mass transfer of accounts) move only what the user may write and report the
rest; asking frappe.has_permission record by record would load every document.
"""

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions
from frappe.permissions import get_role_permissions, has_controller_permissions
from frappe.query_builder import DocType
from frappe.share import get_shared

from crm_lifecycle.core import accounts as core
from crm_lifecycle.services import locking, records


def writable(doctype: str, names: list[str], user: str | None = None) -> set[str]:
	"""Of existing `names`, those `user` may write, as frappe.has_permission decides, in a few
	queries: role permissions (incl. "if owner"), controller hooks (fed the row), write shares.
	With User Permissions in play each record is checked by Frappe itself."""
	user = user or frappe.session.user
	names = list(dict.fromkeys(names))
	if not names:
		return set()
	if user == "Administrator":
		return set(names)
	if get_user_permissions(user):
		return {name for name in names if frappe.has_permission(doctype, "write", doc=name, user=user)}
	perms = get_role_permissions(frappe.get_meta(doctype), user=user, is_owner=True)
	allowed: set[str] = set()
	if perms.get("write") or perms.get("if_owner", {}).get("write"):
		table = DocType(doctype)
		hooks = frappe.get_hooks("has_permission").get(doctype)
		query = frappe.qb.from_(table).select("*" if hooks else table.name).where(table.name.isin(names))
		if not perms.get("write"):
			query = query.where(table.owner == user)
		rows = query.run(as_dict=True)
		allowed = {
			row.name
			for row in rows
			if not hooks or has_controller_permissions(frappe._dict(row, doctype=doctype), "write", user)
		}
	shared = get_shared(doctype, user, ["write"], filters=[["share_name", "in", names]])
	return allowed | set(shared)


def refusals(doctype: str, names: list[str]) -> dict[str, core.Refused]:
	"""Records the session user may not change: no write permission, or locked by somebody else.
	The others are held (FOR UPDATE) until the transaction ends, as the write that follows would
	hold them: a lock taken meanwhile waits for it instead of being written over."""
	allowed = writable(doctype, names)
	refused = {name: core.Refused(core.Refusal.NOT_PERMITTED) for name in names if name not in allowed}
	changeable = [name for name in names if name in allowed]
	records.lock_rows(doctype, changeable)
	for name, why in locking.lock_refusals(doctype, changeable).items():
		refused[name] = core.Refused(core.Refusal.LOCKED, why)
	return refused


def refusal_text(doctype: str, name: str, refused: core.Refused) -> str:
	if refused.refusal == core.Refusal.NOT_FOUND:
		return _("{0} {1} not found").format(_(doctype), name)
	if refused.refusal == core.Refusal.NOT_PERMITTED:
		return _("You are not permitted to change {0} {1}").format(_(doctype), name)
	return refused.detail or _("{0} {1} is locked").format(_(doctype), name)
