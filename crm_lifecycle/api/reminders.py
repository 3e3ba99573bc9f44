"""REST: automatic payment reminders."""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import reminders


@frappe.whitelist(methods=["GET", "POST"])
def due(date: str | None = None, after: str | None = None, limit: int | str | None = None) -> dict:
	"""Dry run: the reminders the next daily run would send on `date` (default today), of the
	invoices the caller may read, a page at a time (`limit`, default 100, at most 500; `after`:
	the `next` of the previous page); the others are only counted."""
	day = params.date(date, "date")
	start = params.text(after, "after", max_length=140) or ""
	size = params.whole_number(limit, "limit", default=reminders.PAGE, maximum=reminders.BATCH)
	frappe.has_permission("Sales Invoice", "read", throw=True)
	frappe.has_permission("CRM Lifecycle Settings", "read", throw=True)
	return reminders.due_for_caller(day, start, size)
