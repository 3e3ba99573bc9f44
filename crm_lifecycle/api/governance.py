"""REST: security panel, invalidate / restore, merge, delete report.

GET  /api/method/crm_lifecycle.api.governance.security_info   doctype, name
GET  /api/method/crm_lifecycle.api.governance.history         doctype, name
POST /api/method/crm_lifecycle.api.governance.invalidate      doctype, name, reason?
POST /api/method/crm_lifecycle.api.governance.restore         doctype, name
GET  /api/method/crm_lifecycle.api.governance.merge_preview   doctype, source, target
POST /api/method/crm_lifecycle.api.governance.merge           doctype, source, target, keep (JSON)
GET  /api/method/crm_lifecycle.api.governance.delete_report   doctype, name
"""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import delete_report as link_report
from crm_lifecycle.services import governance, lifecycle_events
from crm_lifecycle.services import merge as merging


@frappe.whitelist(methods=["GET", "POST"])
def security_info(doctype: str, name: str) -> dict:
	"""Who created / changed / locked the record, its validity, shares, assignments, readers."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return governance.security_info(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def history(doctype: str, name: str) -> list[dict]:
	"""Who deactivated, reactivated, invalidated or restored a customer, contact or lead, when
	and why, newest first."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return lifecycle_events.history(doctype, name)


@frappe.whitelist(methods=["POST"])
def invalidate(doctype: str, name: str, reason: str | None = None) -> dict:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	return governance.invalidate(doctype, name, params.text(reason, "reason"))


@frappe.whitelist(methods=["POST"])
def restore(doctype: str, name: str) -> dict:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	return governance.restore(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def merge_preview(doctype: str, source: str, target: str) -> dict:
	params.existing(doctype, source)
	params.existing(doctype, target)
	merging.check_pair(doctype, source, target)
	frappe.has_permission(doctype, "read", source, throw=True)
	frappe.has_permission(doctype, "read", target, throw=True)
	return merging.preview(doctype, source, target)


@frappe.whitelist(methods=["POST"])
def merge(doctype: str, source: str, target: str, keep: str | dict | None = None) -> dict:
	"""Merge `source` into `target`; `keep` maps each differing field to "source" or "target"."""
	params.existing(doctype, source)
	params.existing(doctype, target)
	merging.check_pair(doctype, source, target)
	frappe.has_permission(doctype, "write", target, throw=True)
	# the source is deleted at the end of the merge
	frappe.has_permission(doctype, "delete", source, throw=True)
	return merging.merge(doctype, source, target, params.string_map(keep, "keep"))


@frappe.whitelist(methods=["GET", "POST"])
def delete_report(doctype: str, name: str) -> dict:
	"""Every document linking to the record, grouped by doctype, and whether deletion is blocked."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return link_report.delete_report(doctype, name)
