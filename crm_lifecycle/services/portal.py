"""Per-contact portal sections and e-mail opt-ins: load, ask core, persist.

A portal user's access is loaded once per request (a handful of queries) and kept in
frappe.local; every permission decision after that is a dictionary lookup.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType

from crm_lifecycle.core import party
from crm_lifecycle.core import portal as core
from crm_lifecycle.services import links, locking, records, refusals, visibility

SETTINGS = "CRM Lifecycle Settings"


def _rows(table) -> core.Rows:
	return {row.section: (bool(row.view), bool(row.email)) for row in table or []}


def validate_rows(table) -> None:
	seen = set()
	for row in table or []:
		if row.section in seen:
			frappe.throw(_("Section {0} is listed twice.").format(_(row.section)), frappe.ValidationError)
		seen.add(row.section)
		try:
			core.parse_access({row.section: {"view": row.view, "email": row.email}})
		except core.InvalidAccess as error:
			refuse(error)


def refuse(error: core.InvalidAccess):
	messages = {
		"not_an_object": _("Access must be a JSON object of sections, not {0}."),
		"unknown_section": _("Unknown portal section: {0}."),
		"bad_switches": _("Section {0} takes only 'view' and 'email'."),
		"no_view_switch": _("{0} can only be switched for e-mail, not for viewing."),
		"no_email_switch": _("{0} can only be switched for viewing, not for e-mail."),
		"bad_value": _("The switches of {0} take 0 or 1."),
	}
	refusals.throw(error, messages[error.reason].format(_(error.value)))


def set_default_portal_access() -> None:
	"""Everything allowed, every e-mail on: installing the app changes nothing for the portal."""
	settings = frappe.get_single(SETTINGS)
	if settings.portal_defaults:
		return
	for area in core.AREAS:
		settings.append(
			"portal_defaults", {"section": area.name, "view": int(area.view), "email": int(area.email)}
		)
	settings.save(ignore_permissions=True)


def clear_access_cache() -> None:
	frappe.local.crm_lifecycle_portal_access = {}


def _default_rows() -> core.Rows:
	return _rows(frappe.get_cached_doc(SETTINGS).portal_defaults)


def _access_rows(parenttype: str, parents: list[str] | set[str]) -> dict[str, core.Rows]:
	"""parent -> its portal access rows, for templates ("Lifecycle Portal Template") or contacts."""
	parents = [parent for parent in parents if parent]
	if not parents:
		return {}
	access = DocType("Lifecycle Portal Access")
	rows = (
		frappe.qb.from_(access)
		.select(access.parent, access.section, access.view, access.email)
		.where((access.parenttype == parenttype) & access.parent.isin(parents))
		.run()
	)
	by_parent: dict[str, core.Rows] = {parent: {} for parent in parents}
	for parent, section, view, email in rows:
		by_parent[parent][section] = (bool(view), bool(email))
	return by_parent


def _group_rows(groups: set[str]) -> dict[str, core.Rows]:
	return _access_rows("Lifecycle Portal Template", groups)


def _contact_rows(contacts: list[str]) -> dict[str, core.Rows]:
	return _access_rows("Contact", contacts)


def _customer_groups(customers: set[str]) -> dict[str, str]:
	if not customers:
		return {}
	return dict(
		frappe.get_all(
			"Customer",
			filters={"name": ("in", list(customers))},
			fields=["name", "customer_group"],
			as_list=True,
		)
	)


def user_access(user: str | None = None) -> dict[str, dict[str, core.Grant]]:
	"""customer -> area -> Grant for a portal user, judged per customer by the linking contact."""
	user = user or frappe.session.user
	cache = getattr(frappe.local, "crm_lifecycle_portal_access", None)
	if cache is None:
		cache = frappe.local.crm_lifecycle_portal_access = {}
	if user in cache:
		return cache[user]

	portal_user = DocType("Portal User")
	customers = set(
		frappe.qb.from_(portal_user)
		.select(portal_user.parent)
		.where((portal_user.user == user) & (portal_user.parenttype == "Customer"))
		.run(pluck=True)
	)
	contacts = frappe.get_all("Contact", filters={"user": user}, pluck="name")
	pairs = links.contact_links(contacts)
	customers |= {customer for _contact, customer in pairs}
	groups = _customer_groups(customers)
	group_rows = _group_rows(set(groups.values()))
	contact_rows = _contact_rows(contacts)
	default = _default_rows()

	contacts_of: dict[str, list[str]] = {}
	for contact, customer in pairs:
		contacts_of.setdefault(customer, []).append(contact)
	access = {}
	for customer in customers:
		group = group_rows.get(groups.get(customer))
		linking = contacts_of.get(customer) or [None]
		access[customer] = core.strictest(
			[core.effective(default, group, contact_rows.get(contact)) for contact in linking]
		)
	cache[user] = access
	return access


def is_portal_user(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user != "Guest" and frappe.get_cached_value("User", user, "user_type") == "Website User"


def access_of_contact(contact: str) -> dict[str, core.Grant]:
	if not frappe.db.exists("Contact", contact):
		frappe.throw(_("Contact {0} not found").format(contact), frappe.DoesNotExistError)
	customers = [customer for _c, customer in links.contact_links([contact])]
	if not customers:
		frappe.throw(
			_("Contact {0} is not linked to a Customer, so it has no portal access to set.").format(contact),
			frappe.ValidationError,
		)
	groups = _customer_groups({customers[0]})
	group = _group_rows(set(groups.values())).get(groups.get(customers[0]))
	return core.effective(_default_rows(), group, _contact_rows([contact]).get(contact))


def get_access(contact: str) -> dict:
	return {
		area: {"view": int(grant.view), "email": int(grant.email), "source": grant.source.value}
		for area, grant in access_of_contact(contact).items()
	}


def set_access(contact: str, access: dict) -> dict:
	try:
		rows = core.parse_access(access)
	except core.InvalidAccess as error:
		refuse(error)
	access_of_contact(contact)  # refuses a contact without a customer
	locking.check_write_to("Contact", contact)
	before = get_access(contact)

	def change(doc):
		existing = {row.section: row for row in doc.crm_portal_access}
		for section, (view, email) in rows.items():
			if section in existing:
				existing[section].view, existing[section].email = int(view), int(email)
			else:
				doc.append("crm_portal_access", {"section": section, "view": int(view), "email": int(email)})

	doc = records.save_changes("Contact", contact, change)
	clear_access_cache()
	after = get_access(contact)
	changes = [
		_("{0}: view {1} → {2}, e-mail {3} → {4}").format(
			_(area), before[area]["view"], after[area]["view"], before[area]["email"], after[area]["email"]
		)
		for area in after
		if (before[area]["view"], before[area]["email"]) != (after[area]["view"], after[area]["email"])
	]
	if changes:
		doc.add_comment("Info", _("Portal access changed: {0}").format("; ".join(changes)))
	return after


def customer_of(doctype: str, name: str) -> tuple[str | None, str | None]:
	"""(customer, e-mail kind) of a document, or (None, None) when the app does not govern it."""
	if doctype not in core.EMAIL_KINDS and doctype != "Sales Invoice":
		return None, None
	if doctype == "Task":
		project = frappe.db.get_value("Task", name, "project")
		if project is None and not frappe.db.exists("Task", name):
			frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
		return project and frappe.db.get_value("Project", project, "customer"), core.email_kind("Task")
	field, type_field, _fixed = party.PARTY_FIELDS[doctype]
	fields = [
		field,
		*([type_field] if type_field else []),
		*(["is_return"] if doctype == "Sales Invoice" else []),
	]
	values = frappe.db.get_value(doctype, name, fields, as_dict=True)
	if values is None:
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	return party.customer_of(doctype, values), core.email_kind(doctype, bool(values.get("is_return")))


def opted_in_contacts(customer: str, kind: str) -> list[dict]:
	"""The customer's contacts (with an e-mail address) that opted in to this kind of e-mail."""
	contacts = links.contacts_of("Customer", customer)
	if not contacts:
		return []
	groups = _customer_groups({customer})
	group = _group_rows(set(groups.values())).get(groups.get(customer))
	rows = _contact_rows(contacts)
	default = _default_rows()
	emails = dict(
		frappe.get_all(
			"Contact", filters={"name": ("in", contacts)}, fields=["name", "email_id"], as_list=True
		)
	)
	return [
		{"contact": contact, "email": emails[contact]}
		for contact in contacts
		if emails.get(contact) and core.effective(default, group, rows.get(contact))[kind].email
	]


def recipients(doctype: str, name: str) -> dict:
	customer, kind = customer_of(doctype, name)
	if not customer:
		return {"customer": None, "kind": kind, "recipients": []}
	contacts = opted_in_contacts(customer, kind)
	readable = visibility.readable("Contact", [row["contact"] for row in contacts])
	return {
		"customer": customer,
		"kind": kind,
		"recipients": [row["email"] for row in contacts if row["contact"] in readable],
		# opted-in contacts the caller may not read are counted, not named
		"hidden": sum(1 for row in contacts if row["contact"] not in readable),
	}


def filter_automatic_recipients(doctype: str, name: str, addresses: list[str]) -> tuple[list[str], list[str]]:
	"""Addresses of the customer's contacts that did not opt in are dropped from automatic mail;
	addresses that are not the customer's contacts are kept. Returns (kept, dropped)."""
	customer, kind = customer_of(doctype, name)
	if not customer or not addresses:
		return addresses, []
	contacts = links.contacts_of("Customer", customer)
	known = {
		(row.email_id or "").lower()
		for row in frappe.get_all(
			"Contact Email", filters={"parent": ("in", contacts or [""])}, fields=["email_id"]
		)
	}
	allowed = {row["email"].lower() for row in opted_in_contacts(customer, kind)}
	kept = [a for a in addresses if a.lower() not in known or a.lower() in allowed]
	return kept, [a for a in addresses if a not in kept]
