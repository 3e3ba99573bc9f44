"""Security panel, invalidate / restore, and the report of everything that links to a record."""

import frappe
from frappe import _
from frappe.model import no_value_fields, table_fields
from frappe.utils import get_fullname

from crm_lifecycle.core import governance as core
from crm_lifecycle.core.party import parties_of
from crm_lifecycle.services import lifecycle_events, locking, records, refusals
from crm_lifecycle.services.records import save_state
from crm_lifecycle.services.text import clean
from crm_lifecycle.services.transaction import atomic


def refuse(error: core.GovernanceRefused, doctype: str = "", name: str = ""):
	refusal, details = error.refusal, error.details
	messages = {
		core.Refusal.NOT_INVALIDATABLE: _("Only a Customer, Contact or Lead can be invalidated, not {0}."),
		core.Refusal.ALREADY_INVALID: _("{0} {1} is already invalid."),
		core.Refusal.NOT_INVALID: _("{0} {1} is not invalid; there is nothing to restore."),
		core.Refusal.NOT_MERGEABLE: _("Only Customers or Contacts can be merged, not {0}."),
		core.Refusal.MERGE_INTO_ITSELF: _("{0} {1} cannot be merged into itself."),
		core.Refusal.UNKNOWN_FIELD: _("{0} is not a field in which the two records differ."),
		core.Refusal.BAD_CHOICE: _("Keep {0} from 'source' or 'target', not {1}."),
	}
	if refusal in (core.Refusal.NOT_INVALIDATABLE, core.Refusal.NOT_MERGEABLE):
		args = (_(details[0]),)
	elif refusal in (core.Refusal.UNKNOWN_FIELD, core.Refusal.BAD_CHOICE):
		args = tuple(frappe.bold(detail) for detail in details)
	else:
		args = (_(doctype), name)
	refusals.throw(error, messages[refusal].format(*args), title=_("Not Possible"))


def load(doctype: str, name: str):
	records.ensure_exists(doctype, name)
	return frappe.get_doc(doctype, name)


# Security panel --------------------------------------------------------------------------------


def security_info(doctype: str, name: str) -> dict:
	doc = load(doctype, name)
	active = doc.get("crm_active") if doc.meta.has_field("crm_active") else None
	history = lifecycle_events.history(doctype, name) if doctype in lifecycle_events.DOCTYPES else []
	return {
		"doctype": doctype,
		"name": name,
		"created_by": doc.owner,
		"created_by_name": get_fullname(doc.owner),
		"created_on": doc.creation,
		"modified_by": doc.modified_by,
		"modified_by_name": get_fullname(doc.modified_by),
		"modified_on": doc.modified,
		"lock": locking.status(doctype, name),
		"lock_history": locking.history(doctype, name),
		"validity": core.validity(None if active is None else bool(active), bool(doc.get("crm_invalid"))),
		# the latest invalidation explains an invalid record, as the form's banner does
		"invalidated": next((e for e in history if e["event"] == "Invalidated"), None)
		if doc.get("crm_invalid")
		else None,
		"lifecycle_history": history,
		"shared_with": frappe.get_all(
			"DocShare",
			filters={"share_doctype": doctype, "share_name": name},
			fields=["user", "everyone", "read", "write", "share", "submit"],
			order_by="creation",
		),
		"assigned_to": frappe.get_all(
			"ToDo",
			filters={"reference_type": doctype, "reference_name": name, "status": "Open"},
			fields=["allocated_to", "assigned_by", "date", "description"],
			order_by="creation",
		),
		"read_roles": read_roles(doc),
	}


def read_roles(doc) -> list[dict]:
	"""Roles whose permission rules let them read the record (if_owner ones only when owner)."""
	roles: dict[str, dict] = {}
	for perm in doc.meta.get_permissions():
		if perm.permlevel or not (perm.read or perm.select):
			continue
		role = roles.setdefault(perm.role, {"role": perm.role, "read": 0, "write": 0, "if_owner": 1})
		role["read"] = role["read"] or perm.read
		role["write"] = role["write"] or perm.write
		role["if_owner"] = role["if_owner"] and perm.if_owner
	return sorted(roles.values(), key=lambda role: role["role"])


# Invalidate / restore --------------------------------------------------------------------------


def _check_party_doctype(doctype: str) -> None:
	if doctype not in core.INVALIDATABLE_DOCTYPES:
		refuse(core.GovernanceRefused(core.Refusal.NOT_INVALIDATABLE, doctype))


def invalidate(doctype: str, name: str, reason: str | None = None) -> dict:
	_check_party_doctype(doctype)
	doc = load(doctype, name)
	try:
		core.check_invalidate(doctype, bool(doc.get("crm_invalid")))
	except core.GovernanceRefused as error:
		refuse(error, doctype, name)
	reason = clean(reason)
	locking.check_write_to(doctype, name)
	with atomic():
		save_state(doctype, name, {"crm_invalid": 1})
		lifecycle_events.record(doctype, name, "Invalidated", reason)
		text = _("Invalidated: hidden from lists and pickers, refused in new transactions.")
		reason_text = _("Reason: {0}").format(frappe.utils.escape_html(reason)) if reason else ""
		doc.add_comment("Info", " ".join(filter(None, (text, reason_text))))
	return {"doctype": doctype, "name": name, "validity": "Invalid"}


def restore(doctype: str, name: str) -> dict:
	_check_party_doctype(doctype)
	doc = load(doctype, name)
	try:
		core.check_restore(doctype, bool(doc.get("crm_invalid")))
	except core.GovernanceRefused as error:
		refuse(error, doctype, name)
	locking.check_write_to(doctype, name)
	with atomic():
		save_state(doctype, name, {"crm_invalid": 0})
		lifecycle_events.record(doctype, name, "Restored")
		doc.add_comment("Info", _("Restored: valid again, visible in lists and pickers."))
	active = doc.get("crm_active") if doc.meta.has_field("crm_active") else None
	return {"doctype": doctype, "name": name, "validity": core.validity(active, False)}


def show_invalid_requested() -> bool:
	"""A list, report or link search that filters on crm_invalid asks for invalid records
	explicitly (the desk's "Show Invalid" toggle does); server code may set the flag."""
	if frappe.flags.crm_lifecycle_show_invalid:
		return True
	form = getattr(frappe.local, "form_dict", None) or {}
	return any("crm_invalid" in str(form.get(key) or "") for key in ("filters", "or_filters"))


def hidden_invalid_condition(doctype: str) -> str:
	# no column while the app is being installed or uninstalled: nothing to hide then
	if show_invalid_requested() or not frappe.get_meta(doctype).has_field("crm_invalid"):
		return ""
	# a Check column is NOT NULL DEFAULT 0: the plain comparison, which MariaDB can use as it is
	return f"`tab{doctype}`.`crm_invalid` = 0"


def check_new_transaction(doc) -> None:
	"""Refuse (417) a draft or submission naming an invalid customer, contact or lead."""
	for party_doctype, party in parties_of(doc.doctype, doc):
		if party_doctype not in core.INVALIDATABLE_DOCTYPES:
			continue
		if not frappe.get_meta(party_doctype).has_field("crm_invalid"):
			continue
		if party_doctype == "Customer":
			invalid = records.customer_state(party, "crm_invalid")
		else:
			invalid = frappe.db.get_value(party_doctype, party, "crm_invalid")
		if invalid:
			frappe.throw(
				_("{0} {1} is invalid and cannot be used in a new {2}; restore it first.").format(
					_(party_doctype), frappe.bold(party), _(doc.doctype)
				),
				frappe.ValidationError,
				title=_("Invalid {0}").format(_(party_doctype)),
			)


def value_fields(meta) -> list[tuple[str, str]]:
	"""Fields a person may choose between when merging: editable values, not layout, tables,
	computed (read-only / fetched) fields or our own lifecycle state."""
	skip_types = set(no_value_fields) | set(table_fields) | {"Read Only"}
	return [
		(field.fieldname, _(field.label or field.fieldname))
		for field in meta.fields
		if field.fieldtype not in skip_types
		and not field.read_only
		and not field.fetch_from
		and not field.fieldname.startswith("crm_")
		and field.fieldname != "naming_series"
	]
