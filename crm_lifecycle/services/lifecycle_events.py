"""The log of lifecycle changes: who deactivated, reactivated, invalidated or restored a
customer, contact or lead, when and why (the Lifecycle Event doctype).

Kept apart from the records: every field the app puts on Customer costs every request that
loads Customer's meta (issue 17), while who-and-why is read only to explain a record that is
inactive or invalid, on its form and in its security panel."""

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

DOCTYPE = "Lifecycle Event"
DOCTYPES = ("Customer", "Contact", "Lead")
FIELDS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"reference_doctype",
	"reference_name",
	"event",
	"user",
	"reason",
)
# the states a form explains: the field, its value that needs explaining, the event that set it
EXPLAINED = {
	"deactivated": ("crm_active", 0, "Deactivated"),
	"invalidated": ("crm_invalid", 1, "Invalidated"),
}


def record(doctype: str, name: str, event: str, reason: str | None = None) -> None:
	"""Log one change of one record, inside the transaction that makes it."""
	record_many(doctype, [name], event, reason)


def record_many(doctype: str, names: list[str], event: str, reason: str | None = None) -> None:
	"""Log the same change of many records in one INSERT (the change itself is set-based too).
	The reason comes sanitised by the caller, as the change's own timeline line is."""
	now, user = now_datetime(), frappe.session.user
	insert([(doctype, name, event, user, reason, now) for name in names])


def insert(events: list[tuple]) -> None:
	"""(doctype, name, event, user, reason, on) rows, in one INSERT."""
	if not events:
		return
	frappe.db.bulk_insert(
		DOCTYPE,
		FIELDS,
		[
			(frappe.generate_hash(length=10), on, on, user, user, doctype, name, event, user, reason)
			for doctype, name, event, user, reason, on in events
		],
	)


def explained(doc) -> dict:
	"""For each state of `doc` that needs explaining, its latest event: {"deactivated": {"on",
	"by", "by_name", "reason"}, ...}. No statement for an active, valid record."""
	wanted = {
		event: key
		for key, (fieldname, value, event) in EXPLAINED.items()
		if doc.meta.has_field(fieldname) and doc.get(fieldname) == value
	}
	if not wanted or doc.is_new():
		return {}
	found = {}
	for row in frappe.get_all(
		DOCTYPE,
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name, "event": ["in", list(wanted)]},
		fields=["event", "user", "reason", "creation"],
		order_by="creation desc",
	):
		found.setdefault(wanted[row.event], _shown(row))
	return found


def history(doctype: str, name: str) -> list[dict]:
	"""Every event of a record, newest first (the caller has been checked to read it)."""
	if doctype not in DOCTYPES:
		frappe.throw(
			_("Only a Customer, Contact or Lead has a lifecycle history, not {0}.").format(_(doctype)),
			frappe.ValidationError,
		)
	rows = frappe.get_all(
		DOCTYPE,
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["event", "user", "reason", "creation"],
		order_by="creation desc",
	)
	return [{"event": row.event, **_shown(row)} for row in rows]


def _shown(row) -> dict:
	return {"on": row.creation, "by": row.user, "by_name": get_fullname(row.user), "reason": row.reason}


def forget(doctype: str, name: str) -> None:
	"""The record goes: its log goes with it (a new record of the same name starts afresh)."""
	frappe.db.delete(DOCTYPE, {"reference_doctype": doctype, "reference_name": name})
