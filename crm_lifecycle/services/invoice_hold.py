"""Put Sales Invoices on hold (no dunning, notification or payment reminder) and release them.

Set-based: one UPDATE and one INSERT of timeline comments however many invoices there are.
"""

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, nowdate

from crm_lifecycle.core import invoice_hold as core
from crm_lifecycle.services import locking, records, write_access
from crm_lifecycle.services.text import clean

HOLD_FIELDS = ("crm_reminders_on_hold", "crm_held_by", "crm_held_on", "crm_hold_reason", "crm_held_until")


def _refused(names: list[str], changed: list[str] | None = None) -> tuple[set[str], dict[str, str]]:
	"""The one statement of who may hold which invoices, given write permission on Sales
	Invoice: (those the user may not change, user permissions and shares included (a hold is a
	change of the invoice, so reading it is not enough); changeable ones of `changed` (default:
	all) locked by somebody else -> why). Locks are asked only of invoices the user may change: a
	lock on one the user may not even read is never told."""
	writable = write_access.writable("Sales Invoice", names)
	asked = names if changed is None else changed
	changeable = [name for name in asked if name in writable]
	# held until the hold is written, so that a lock taken meanwhile waits for it (write_access.refusals)
	records.lock_rows("Sales Invoice", changeable)
	return set(names) - writable, locking.lock_refusals("Sales Invoice", changeable)


def check_can_hold(names: list[str], changed: list[str] | None = None) -> None:
	"""Write permission on every one of them (user permissions and shares included), and none
	of those `changed` (default: all) locked by somebody else (when Sales Invoice is lockable)."""
	frappe.has_permission("Sales Invoice", "write", throw=True)
	unwritable, locked = _refused(names, changed)
	if unwritable:
		frappe.throw(
			_("You are not permitted to change {0} of these Sales Invoices.").format(len(unwritable)),
			frappe.PermissionError,
		)
	if locked:  # refused as any write to it is
		frappe.throw(locked[min(locked)], frappe.PermissionError, title=_("Record Locked"))


def hold_refusals(names: list[str]) -> dict[str, str]:
	"""check_can_hold for a bulk action, told per invoice instead of refusing them all: why the
	session user may not put each of `names` on hold (none: every one may be held). An invoice
	the user may not read is not named."""
	if not names:
		return {}
	if not frappe.has_permission("Sales Invoice", "write"):
		return dict.fromkeys(names, _("You are not permitted to change Sales Invoices."))
	unwritable, locked = _refused(names)
	hidden = _("You are not permitted to change one of its Sales Invoices.")
	return {**{name: hidden for name in names if name in unwritable}, **locked}


def check_open(names: list[str]) -> None:
	"""Only submitted invoices with something left to pay can be put on hold."""
	open_names = frappe.get_all(
		"Sales Invoice",
		filters={"name": ("in", names), "docstatus": 1, "outstanding_amount": (">", 0)},
		pluck="name",
		limit=0,
	)
	not_open = sorted(set(names) - set(open_names))
	if not_open:
		frappe.throw(
			_("Only submitted invoices with an outstanding amount can be put on hold: {0}").format(
				", ".join(not_open)
			),
			frappe.ValidationError,
		)


def hold(names: list[str], reason: str | None = None, held_until: str | None = None) -> int:
	"""Put the given invoices on hold; returns how many were held."""
	if held_until and getdate(held_until) < getdate(nowdate()):
		frappe.throw(_("'Held Until' cannot be in the past."), frappe.ValidationError)
	user, reason = frappe.session.user, clean(reason)
	new = {
		"crm_reminders_on_hold": 1,
		"crm_held_by": user,
		"crm_held_on": now_datetime(),
		"crm_hold_reason": reason or None,
		"crm_held_until": held_until or None,
	}
	records.update_by_name("Sales Invoice", names, new, submitted_only=True)
	# the timeline shows a Comment's content as HTML: what a user typed is escaped
	message = _("Payment reminders put on hold by {0}").format(
		frappe.utils.escape_html(frappe.utils.get_fullname(user))
	)
	if reason:
		message += ": " + frappe.utils.escape_html(reason)
	add_comments(names, message)
	return len(names)


def release(names: list[str], note: str | None = None) -> dict:
	"""Release the held ones among `names`; those not on hold are reported back, unknown ones refused."""
	rows = frappe.get_all(
		"Sales Invoice",
		filters={"name": ("in", names)},
		fields=["name", "crm_reminders_on_hold"],
		limit=0,
	)
	unknown = sorted(set(names) - {row.name for row in rows})
	if unknown:
		frappe.throw(
			_("Sales Invoice not found: {0}").format(", ".join(unknown)),
			frappe.DoesNotExistError,
		)
	plan = core.plan_release([core.HeldInvoice(row.name, bool(row.crm_reminders_on_hold)) for row in rows])
	# which of them are on hold is told only to who may change every one of them
	check_can_hold([row.name for row in rows], changed=plan.to_release)
	if not plan.to_release:
		frappe.throw(_("None of these Sales Invoices is on hold."), frappe.ValidationError)
	_clear_hold(plan.to_release)
	escape = frappe.utils.escape_html
	message = (
		escape(note)
		if note
		else _("Payment reminders released by {0}").format(
			escape(frappe.utils.get_fullname(frappe.session.user))
		)
	)
	add_comments(plan.to_release, message)
	return {"released": plan.to_release, "not_held": plan.not_held}


def held_invoices_of(customer: str) -> list[str]:
	return frappe.get_all(
		"Sales Invoice",
		filters={"customer": customer, "docstatus": 1, "crm_reminders_on_hold": 1},
		pluck="name",
		limit=0,
	)


BATCH = 2000  # expired holds released per transaction: memory and locks do not grow with their number


def release_expired(commit: bool = True) -> int:
	"""Daily: holds whose 'held until' date has passed release themselves, BATCH at a time, each
	batch committed with its Versions and timeline lines (`commit`: the job; tests pass False).
	A run stopped halfway leaves whole batches released and the rest for the next run."""
	today, released = getdate(nowdate()), 0
	while True:
		rows = frappe.get_all(
			"Sales Invoice",
			filters={"crm_reminders_on_hold": 1, "crm_held_until": ("<", today)},
			fields=["name", "crm_held_until"],
			order_by="name asc",
			limit=BATCH,
		)
		expired = core.expired_holds(
			[core.HeldInvoice(row.name, True, getdate(row.crm_held_until)) for row in rows], today
		)
		if expired:
			_clear_hold(expired)
			add_comments(expired, _("The hold on payment reminders expired"))
			released += len(expired)
		if commit:
			frappe.db.commit()
		if len(rows) < BATCH or not expired:  # released rows leave the filter: no offset needed
			return released


def is_on_hold(name: str) -> bool:
	return bool(frappe.db.get_value("Sales Invoice", name, "crm_reminders_on_hold"))


def held_among(names: list[str]) -> list[str]:
	if not names:
		return []
	return frappe.get_all(
		"Sales Invoice", filters={"name": ("in", names), "crm_reminders_on_hold": 1}, pluck="name", limit=0
	)


def _clear_hold(names: list[str]) -> None:
	new = {fieldname: 0 if fieldname == "crm_reminders_on_hold" else None for fieldname in HOLD_FIELDS}
	records.update_by_name("Sales Invoice", names, new)


def add_comments(names: list[str], content: str) -> None:
	"""One timeline entry per invoice."""
	records.add_timeline_entries("Sales Invoice", names, content)


def hold_if_customer_inactive(invoice) -> None:
	"""A deactivated customer gets no reminders for later invoices either: an invoice submitted
	for an inactive customer goes on hold with it (CRM Lifecycle Settings, on by default)."""
	if invoice.get("is_return") or invoice.get("crm_reminders_on_hold") or not invoice.customer:
		return
	if records.customer_state(invoice.customer, "crm_active") != 0:
		return  # first: an active customer's invoice needs no settings read
	setting = frappe.get_cached_doc("CRM Lifecycle Settings").get("hold_invoices_of_inactive_customers")
	if setting is not None and not int(setting):  # unset on sites from before the setting: on
		return
	invoice.crm_reminders_on_hold = 1
	invoice.crm_held_by = frappe.session.user
	invoice.crm_held_on = now_datetime()
	invoice.crm_hold_reason = _("Customer inactive")
	invoice.flags.crm_lifecycle_held_on_submit = True


def note_hold_on_submit(invoice) -> None:
	if invoice.flags.crm_lifecycle_held_on_submit:
		add_comments([invoice.name], _("Payment reminders put on hold: customer inactive"))
