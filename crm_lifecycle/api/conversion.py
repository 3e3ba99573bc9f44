"""REST: create records from a Lead, Opportunity or Quotation, and read the dependency graph.

- GET  crm_lifecycle.api.conversion.targets?doctype=Lead&name=CRM-LEAD-0001
- POST crm_lifecycle.api.conversion.convert  doctype, name, targets='["Opportunity", "Customer"]',
       link='{"Contact": "Jane Doe"}'  -> {"source": ..., "records": [{doctype, name, action}]}
- GET  crm_lifecycle.api.conversion.graph?doctype=Quotation&name=SAL-QTN-2026-00001
       -> {"nodes": [...], "edges": [...], "truncated": false}
"""

import json

import frappe
from frappe import _

from crm_lifecycle.services import conversion, dependencies


@frappe.whitelist(methods=["GET"])
def targets(doctype: str, name: str) -> list[dict]:
	frappe.has_permission(doctype, "read", name, throw=True)
	return conversion.options(doctype, name)


@frappe.whitelist(methods=["POST"])
def convert(doctype: str, name: str, targets: str | list, link: str | dict | None = None) -> dict:
	frappe.has_permission(doctype, "read", name, throw=True)
	# create permission on each target is checked by the service against the plan, which knows
	# the records a combination really makes (an invoice of a lead's deal also makes a Customer)
	return conversion.convert(
		doctype, name, _json(targets, list, "targets"), _json(link, dict, "link") or None
	)


@frappe.whitelist(methods=["GET"])
def graph(doctype: str, name: str) -> dict:
	frappe.has_permission(doctype, "read", name, throw=True)
	if doctype not in dependencies.DETAILS:
		frappe.throw(_("{0} has no dependency graph").format(_(doctype)), frappe.ValidationError)
	return dependencies.graph(doctype, name)


def _json(value, kind: type, argument: str):
	if value in (None, ""):
		return kind()
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			frappe.throw(_("{0} must be JSON").format(argument), frappe.ValidationError)
	if not isinstance(value, kind) or not all(
		isinstance(v, str) for v in (value.values() if kind is dict else value)
	):
		frappe.throw(
			_("{0} must be a JSON {1} of names").format(argument, kind.__name__), frappe.ValidationError
		)
	return value
