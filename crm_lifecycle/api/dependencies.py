"""REST: the dependency graph of a record (what it was made from, what was made from it).

- GET  crm_lifecycle.api.dependencies.graph?doctype=Quotation&name=SAL-QTN-2026-00001
       -> {"nodes": [...], "edges": [...], "truncated": false, "hidden": 0}
"""

import frappe
from frappe import _

from crm_lifecycle.api import params
from crm_lifecycle.services import dependencies


@frappe.whitelist(methods=["GET"])
def graph(doctype: str, name: str) -> dict:
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	if doctype not in dependencies.DETAILS:
		frappe.throw(_("{0} has no dependency graph").format(_(doctype)), frappe.ValidationError)
	return dependencies.graph(doctype, name)
