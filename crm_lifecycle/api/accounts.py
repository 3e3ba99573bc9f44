"""REST: ready views of the Customer list, mass transfer of account owners, delete with report.

GET  /api/method/crm_lifecycle.api.accounts.view           view (my_accounts, new_this_week, ...)
POST /api/method/crm_lifecycle.api.accounts.transfer       names (JSON list), new_owner, include_open_documents
GET  /api/method/crm_lifecycle.api.accounts.delete_report  names
POST /api/method/crm_lifecycle.api.accounts.delete         names
POST /api/method/crm_lifecycle.api.accounts.invalidate     names, reason
"""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.core import accounts as core
from crm_lifecycle.services import accounts, accounts_delete


@frappe.whitelist(methods=["GET", "POST"])
def view(view: str) -> dict:
	"""The list filters of a ready view (names for Unread and Recently Viewed)."""
	frappe.has_permission("Customer", "read", throw=True)
	return accounts.view(params.name(view, "view"))


@frappe.whitelist(methods=["POST"])
def transfer(names: str | list, new_owner: str, include_open_documents: int = 0) -> dict:
	"""Make `new_owner` the account manager of the customers; with include_open_documents also
	the owner of their open Opportunities and of the previous owner's open assignments on them,
	on their open Quotations and on the customers.

	Records the caller may not write are reported per record, not moved. More than
	BACKGROUND_THRESHOLD customers run as a background job: the answer is its job id, and the
	desk gets progress and the per-record results in realtime."""
	frappe.has_permission("Customer", "write", throw=True)
	names = params.name_list(names)
	new_owner = params.name(new_owner, "new_owner")
	include = params.flag(include_open_documents, "include_open_documents")
	if core.needs_background(len(names)):
		return accounts.enqueue_transfer(names, new_owner, include)
	return accounts.transfer(names, new_owner, include)


@frappe.whitelist(methods=["GET", "POST"])
def delete_report(names: str | list) -> dict:
	"""Which of the customers can be deleted, and which are blocked by which links."""
	frappe.has_permission("Customer", "read", throw=True)
	return accounts_delete.report(params.name_list(names))


@frappe.whitelist(methods=["POST"])
def delete(names: str | list) -> dict:
	"""Delete the customers nothing blocks; the blocked ones are reported with their links."""
	frappe.has_permission("Customer", "delete", throw=True)
	return accounts_delete.delete(params.name_list(names))


@frappe.whitelist(methods=["POST"])
def invalidate(names: str | list, reason: str | None = None) -> dict:
	"""Invalidate the customers (hidden from lists and pickers) instead of deleting them."""
	frappe.has_permission("Customer", "write", throw=True)
	return accounts_delete.invalidate(params.name_list(names), params.text(reason, "reason"))
