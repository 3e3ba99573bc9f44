"""Deactivate many customers or contacts at once: a background job, set-based per chunk.

Per chunk of CHUNK records the job reads states, permissions, locks, open invoices and running
schedules in a few queries, asks core for every record's plan, and writes all of them with one
UPDATE of the records, one of their invoices, one INSERT of Versions and one of timeline
comments; the records' save events follow after the commit (services/events.py). A record
refused (no permission, locked, already inactive, an invoice it may not hold) is reported and
the others go on. Records whose subscriptions or auto repeats are to be cancelled take the
single-record path: cancelling those is a document save of each.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.html_utils import sanitize_html

from crm_lifecycle.core import accounts as write_rules
from crm_lifecycle.core import deactivation as core
from crm_lifecycle.services import deactivation, invoice_hold, lifecycle_events, write_access
from crm_lifecycle.services.records import lock_rows, update_by_name
from crm_lifecycle.services.text import clean
from crm_lifecycle.services.transaction import atomic

CHUNK = 1000  # records per transaction: bounded memory and IN lists, progress between chunks
DONE_EVENT = "crm_lifecycle_bulk_done"


def enqueue_many(
	doctype: str, names: list[str], hold_invoices: bool, cancel_subscriptions: bool, reason: str | None
) -> dict:
	job_id = f"crm_lifecycle_deactivate_{frappe.generate_hash(length=12)}"
	frappe.enqueue(
		deactivate_many,
		queue="long",
		timeout=3600,
		job_id=job_id,
		enqueue_after_commit=True,  # the worker must see what this request committed
		doctype=doctype,
		names=names,
		hold_invoices=hold_invoices,
		cancel_subscriptions=cancel_subscriptions,
		reason=reason,
		commit_chunks=True,
	)
	return {"job_id": job_id, "count": len(names)}


def deactivate_many(
	doctype: str,
	names: list[str],
	hold_invoices: bool = False,
	cancel_subscriptions: bool = False,
	reason: str | None = None,
	commit_chunks: bool = False,
) -> list[dict]:
	"""Every record's result, in the order given. `commit_chunks` (the job): each chunk is
	committed on its own, so a job stopped halfway leaves whole chunks done and the rest untouched."""
	try:
		core.check_party(doctype)
	except core.DeactivationRefused as error:
		deactivation.refuse(error)
	names = list(dict.fromkeys(names))
	reason = clean(reason)
	errors: dict[str, str] = {}
	chunks = range(0, len(names), CHUNK)
	title = _("Deactivating {0}").format(_(doctype))
	finished = 0  # records of the chunks done
	try:
		for index, start in enumerate(chunks):
			chunk = names[start : start + CHUNK]

			size = len(chunk)

			def progress(part: float, index=index, start=start, size=size) -> None:
				frappe.publish_progress(
					(index + part) * 100 / len(chunks),
					title=title,
					description=_("{0} of {1}").format(start + int(size * part), len(names)),
				)

			errors.update(
				deactivate_chunk(doctype, chunk, hold_invoices, cancel_subscriptions, reason, progress)
			)
			if commit_chunks:
				frappe.db.commit()
			progress(1)
			finished = start + size
	except Exception:
		if not commit_chunks:
			raise  # one transaction: the caller's rollback undoes all of it
		# The job: the chunk that failed is undone, the chunks before it stay done, and the
		# person who started it still gets every record's result instead of a silent end.
		frappe.db.rollback()
		frappe.log_error(title=_("Deactivating {0} stopped").format(_(doctype)))
		frappe.db.commit()
		stopped = _("Not done: the job stopped at an error (see the Error Log).")
		errors.update(dict.fromkeys(names[finished:], stopped))
	results = [
		{"name": name, "ok": False, "error": errors[name]} if name in errors else {"name": name, "ok": True}
		for name in names
	]
	frappe.publish_realtime(
		DONE_EVENT,
		{"action": "deactivate", "doctype": doctype, "results": results},
		user=frappe.session.user,
		after_commit=True,
	)
	return results


def deactivate_chunk(
	doctype: str,
	names: list[str],
	hold_invoices: bool,
	cancel_subscriptions: bool,
	reason: str | None,
	progress=None,
) -> dict[str, str]:
	"""Deactivate `names` in one transaction; returns why each refused record was refused."""
	# A locking read: a save of one of these records waits for this chunk instead of being
	# overwritten by it.
	active = {name: state for name, (state,) in lock_rows(doctype, names, ("crm_active",)).items()}
	errors = {
		name: write_access.refusal_text(doctype, name, write_rules.Refused(write_rules.Refusal.NOT_FOUND))
		for name in names
		if name not in active
	}
	for name, refused in write_access.refusals(doctype, list(active)).items():
		errors[name] = write_access.refusal_text(doctype, name, refused)
	parties = [core.Party(doctype, name, bool(active[name])) for name in active if name not in errors]
	found = [party.name for party in parties]
	invoices = deactivation.open_invoices_of(doctype, found)
	schedules = deactivation.running_schedules_of(doctype, found)
	bulk = core.plan_many(
		parties,
		{name: core.Preview(invoices.get(name, []), schedules.get(name, [])) for name in found},
		hold_invoices,
		cancel_subscriptions,
		reason,
	)
	errors.update({name: deactivation.refusal_message(error) for name, error in bulk.refused.items()})

	refused_invoices = invoice_hold.hold_refusals(
		[invoice for plan in bulk.together for invoice in plan.invoices_to_hold]
	)
	together = []
	for plan in bulk.together:
		why = next((refused_invoices[i] for i in plan.invoices_to_hold if i in refused_invoices), None)
		if why:
			errors[plan.party.name] = why
		else:
			together.append(plan)

	if progress:
		progress(0.5)
	for plan in bulk.one_by_one:  # document saves of subscriptions: the single-record path
		try:
			deactivation.deactivate(doctype, plan.party.name, hold_invoices, cancel_subscriptions, reason)
		except (frappe.ValidationError, frappe.PermissionError) as error:
			frappe.clear_last_message()
			errors[plan.party.name] = str(error) or type(error).__name__
	if together:
		with atomic():
			persist(doctype, together)
	return errors


def persist(doctype: str, plans: list[core.DeactivationPlan]) -> None:
	"""The records' state, their invoices' hold and every timeline line, set-based."""
	now, user = now_datetime(), frappe.session.user
	reason = plans[0].reason  # one reason for the whole action
	names = [plan.party.name for plan in plans]
	update_by_name(doctype, names, {"crm_active": 0})
	lifecycle_events.record_many(doctype, names, "Deactivated", reason)
	to_hold = [invoice for plan in plans for invoice in plan.invoices_to_hold]
	if to_hold:
		invoice_hold.hold(to_hold, reason)
	summaries = {}  # one text per number of held invoices, not one per record
	rows = []
	for plan in plans:
		held = len(plan.invoices_to_hold)
		if held not in summaries:  # sanitised as the Comment's own validate would
			summaries[held] = sanitize_html(deactivation.deactivation_summary(plan, held))
		rows.append(
			(
				frappe.generate_hash(),
				now,
				now,
				user,
				user,
				"Info",
				user,
				doctype,
				plan.party.name,
				summaries[held],
			)
		)
	frappe.db.bulk_insert(
		"Comment",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"comment_type",
			"comment_email",
			"reference_doctype",
			"reference_name",
			"content",
		],
		rows,
	)
