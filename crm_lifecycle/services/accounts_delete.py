"""Deleting many customers through the governance delete report: the blocked ones are listed
with the links that block them and kept (or invalidated instead), only the others deleted."""

import frappe
from frappe import _

from crm_lifecycle.services import delete_report, governance
from crm_lifecycle.services.transaction import atomic

DOCTYPE = "Customer"
MAX_RECORDS = 200  # the report reads every linking table for each record


def check_size(names: list[str]) -> None:
	if len(names) > MAX_RECORDS:
		frappe.throw(
			_("Select at most {0} records to delete with a report; {1} were selected.").format(
				MAX_RECORDS, len(names)
			),
			frappe.ValidationError,
		)


def report(names: list[str]) -> dict:
	"""Per record: deletable, blocked (by which live links) or refused (unknown, no permission)."""
	check_size(names)
	deletable, blocked, refused = [], [], []
	for name in dict.fromkeys(names):
		if not frappe.db.exists(DOCTYPE, name):
			refused.append({"name": name, "error": _("{0} {1} not found").format(_(DOCTYPE), name)})
			continue
		if not frappe.has_permission(DOCTYPE, "delete", doc=name):
			refused.append(
				{"name": name, "error": _("You are not permitted to delete {0} {1}").format(_(DOCTYPE), name)}
			)
			continue
		found = delete_report.delete_report(DOCTYPE, name)
		if found["can_delete"]:
			deletable.append(name)
			continue
		blocked.append(
			{
				"name": name,
				"can_invalidate": found["can_invalidate"],
				"links": [group for group in found["links"] if group["blocks_delete"]],
			}
		)
	return {"deletable": deletable, "blocked": blocked, "refused": refused}


def delete(names: list[str]) -> dict:
	"""Delete the unblocked ones; each in its own savepoint so one failure keeps the others."""
	found = report(names)
	results = []
	for name in found["deletable"]:
		try:
			with atomic():
				frappe.delete_doc(DOCTYPE, name)
			results.append({"name": name, "ok": True})
		except (frappe.ValidationError, frappe.PermissionError) as error:
			frappe.clear_last_message()
			results.append({"name": name, "ok": False, "error": str(error) or type(error).__name__})
	return {**found, "results": results, "deleted": sum(1 for row in results if row["ok"])}


def invalidate(names: list[str], reason: str | None = None) -> dict:
	"""Invalidate instead of deleting (governance's Invalidate, record by record)."""
	check_size(names)
	results = []
	for name in dict.fromkeys(names):
		try:
			if not frappe.db.exists(DOCTYPE, name):
				frappe.throw(_("{0} {1} not found").format(_(DOCTYPE), name), frappe.DoesNotExistError)
			frappe.has_permission(DOCTYPE, "write", doc=name, throw=True)
			with atomic():
				governance.invalidate(DOCTYPE, name, reason)
			results.append({"name": name, "ok": True})
		except (frappe.ValidationError, frappe.PermissionError) as error:
			frappe.clear_last_message()
			results.append({"name": name, "ok": False, "error": str(error) or type(error).__name__})
	return {"results": results, "invalidated": sum(1 for row in results if row["ok"])}
