"""REST: lock and unlock records, ask who holds a lock.

POST /api/method/crm_lifecycle.api.locking.lock    doctype, name, reason?, expires_on?
POST /api/method/crm_lifecycle.api.locking.unlock  doctype, name
GET  /api/method/crm_lifecycle.api.locking.status  doctype, name
"""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import locking, visibility


@frappe.whitelist(methods=["POST"])
def lock(doctype: str, name: str, reason: str | None = None, expires_on: str | None = None) -> dict:
	"""Lock a record you may write; refused (409) while somebody else holds it."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	locking.check_lockable(doctype)
	return locking.lock(doctype, name, reason=params.text(reason, "reason"), expires_on=expires_on)


@frappe.whitelist(methods=["POST"])
def unlock(doctype: str, name: str) -> dict:
	"""Remove your lock; lock managers may remove anybody's (recorded, the holder is notified)."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	locking.check_lockable(doctype)
	return locking.unlock(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def status(doctype: str, name: str) -> dict:
	"""Locked or not, by whom, since when, why, until when; and what the caller may do."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return locking.status(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def locked_names(doctype: str, names: str | list) -> dict[str, str]:
	"""For list views: which of the shown records are locked, and by whom."""
	params.doctype(doctype)
	frappe.has_permission(doctype, "read", throw=True)
	if names in ("[]", []):
		return {}
	names = params.name_list(names)[:500]
	# who holds a lock is told only of records the caller may read
	shown = visibility.readable(doctype, names)
	return locking.locked_names(doctype, [name for name in names if name in shown])
