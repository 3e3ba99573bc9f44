"""Per-contact portal sections and e-mail opt-ins: load, ask core, persist.

A portal user's access is loaded once per request (two queries) and kept in frappe.local; every
permission decision after that is a dictionary lookup.
"""

from typing import NamedTuple

import frappe
from frappe import _
from frappe.query_builder import DocType

from crm_lifecycle.core import party
from crm_lifecycle.core import portal as core
from crm_lifecycle.services import links, locking, records, refusals, visibility

SETTINGS = "CRM Lifecycle Settings"


def _switches(view, email, inherit_view, inherit_email) -> tuple[core.Switch, core.Switch]:
	return (None if inherit_view else bool(view), None if inherit_email else bool(email))


def _rows(table) -> core.Rows:
	return {
		row.section: _switches(row.view, row.email, row.get("inherit_view"), row.get("inherit_email"))
		for row in table or []
	}


def validate_rows(table) -> None:
	seen = set()
	for row in table or []:
		if row.section in seen:
			frappe.throw(_("Section {0} is listed twice.").format(_(row.section)), frappe.ValidationError)
		seen.add(row.section)
		view, email = _switches(row.view, row.email, row.get("inherit_view"), row.get("inherit_email"))
		try:
			core.parse_access({row.section: {"view": view, "email": email}})
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
		.select(
			access.parent,
			access.section,
			access.view,
			access.email,
			access.inherit_view,
			access.inherit_email,
		)
		.where((access.parenttype == parenttype) & access.parent.isin(parents))
		.run()
	)
	by_parent: dict[str, core.Rows] = {parent: {} for parent in parents}
	for parent, section, view, email, inherit_view, inherit_email in rows:
		by_parent[parent][section] = _switches(view, email, inherit_view, inherit_email)
	return by_parent


def _group_rows(groups: set[str]) -> dict[str, core.Rows]:
	return _access_rows("Lifecycle Portal Template", groups)


def _contact_rows(contacts: list[str]) -> dict[str, core.Rows]:
	return _access_rows("Contact", contacts)


def _customer_groups(customers: set[str]) -> dict[str, str]:
	if not customers:
		return {}
	customer = DocType("Customer")  # a plain query: this runs for every request of a portal user
	return dict(
		frappe.qb.from_(customer)
		.select(customer.name, customer.customer_group)
		.where(customer.name.isin(list(customers)))
		.run()
	)


# What a portal user's access is judged from, in two round trips (this runs for every request of
# a portal user): whether it is one, the customers it is a portal user of, its contacts and their
# customer links ...
_USER_PARTIES = """
select 'user', user_type, null from `tabUser` where name = %(user)s
union all
select 'customer', parent, null from `tabPortal User` where user = %(user)s and parenttype = 'Customer'
union all
select 'contact', contact.name, link.link_name from `tabContact` contact
left join `tabDynamic Link` link
	on link.parent = contact.name and link.parenttype = 'Contact' and link.link_doctype = 'Customer'
where contact.user = %(user)s
"""
# ... then those customers' groups, the groups' templates, the contacts' own switches and the
# settings' defaults (read here rather than with the whole settings document from the cache).
_USER_SWITCHES = """
select 'default', parent, null, section, view, email, inherit_view, inherit_email
from `tabLifecycle Portal Access` where parenttype = 'CRM Lifecycle Settings'
	and parentfield = 'portal_defaults'
union all
select 'group', name, customer_group, null, null, null, null, null
from `tabCustomer` where name in %(customers)s
union all
select 'template', parent, null, section, view, email, inherit_view, inherit_email
from `tabLifecycle Portal Access` where parenttype = 'Lifecycle Portal Template'
	and parent in (select customer_group from `tabCustomer` where name in %(customers)s)
union all
select 'contact', parent, null, section, view, email, inherit_view, inherit_email
from `tabLifecycle Portal Access` where parenttype = 'Contact' and parent in %(contacts)s
"""


class _Parties(NamedTuple):
	user_type: str | None
	customers: set[str]
	contacts: set[str]
	pairs: list[tuple[str, str]]  # (contact, customer)


def _request_cache() -> dict:
	cache = getattr(frappe.local, "crm_lifecycle_portal_access", None)
	if cache is None:
		cache = frappe.local.crm_lifecycle_portal_access = {}
	return cache


def _parties(user: str) -> _Parties:
	"""The user's type, customers and contacts: one query per request and user."""
	cache = _request_cache()
	key = ("parties", user)
	if key not in cache:
		parties = _Parties(None, set(), set(), [])
		for kind, name, customer in frappe.db.sql(_USER_PARTIES, {"user": user}):
			if kind == "user":
				parties = parties._replace(user_type=name)
			elif kind == "customer":
				parties.customers.add(name)
			else:
				parties.contacts.add(name)
				if customer:
					parties.customers.add(customer)
					parties.pairs.append((name, customer))
		cache[key] = parties
	return cache[key]


def user_access(user: str | None = None) -> dict[str, dict[str, core.Grant]]:
	"""customer -> area -> Grant for a portal user, judged per customer by the linking contact."""
	user = user or frappe.session.user
	cache = _request_cache()
	if user in cache:
		return cache[user]

	_user_type, customers, contacts, pairs = _parties(user)
	groups: dict[str, str] = {}
	group_rows: dict[str, core.Rows] = {}
	contact_rows: dict[str, core.Rows] = {}
	default: core.Rows = {}
	if customers:
		switches = frappe.db.sql(
			_USER_SWITCHES, {"customers": list(customers), "contacts": list(contacts) or [""]}
		)
		for kind, parent, group, section, *flags in switches:
			if kind == "group":
				groups[parent] = group
			elif kind == "default":
				default[section] = _switches(*flags)
			else:
				rows = group_rows if kind == "template" else contact_rows
				rows.setdefault(parent, {})[section] = _switches(*flags)

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
	return user != "Guest" and _parties(user).user_type == "Website User"


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


def _as_dict(grants: dict[str, core.Grant]) -> dict:
	return {
		area: {
			"view": int(grant.view),
			"email": int(grant.email),
			"source": grant.source.value,
			"view_source": grant.view_source.value,
			"email_source": grant.email_source.value,
			"has_view": int(core.AREA_BY_NAME[area].view),
			"has_email": int(core.AREA_BY_NAME[area].email),
		}
		for area, grant in grants.items()
	}


def get_access(contact: str) -> dict:
	return _as_dict(access_of_contact(contact))


def set_access(contact: str, access: dict) -> dict:
	"""A colleague's change of the contact's switches (desk grid, REST)."""
	try:
		rows = core.parse_access(access)
	except core.InvalidAccess as error:
		refuse(error)
	access_of_contact(contact)  # refuses a contact without a customer
	return _write(contact, rows, by_contact=False)


def _write(contact: str, rows: dict[str, tuple], by_contact: bool) -> dict:
	"""Stores the contact's rows (KEEP keeps a switch) in one form save and notes the change on
	its timeline. `by_contact`: the contact's own e-mail choice on the portal, which its portal
	user (no desk permission on Contact) may make for its own contact only."""
	locking.check_write_to("Contact", contact)
	before = get_access(contact)

	def change(doc):
		doc.flags.ignore_permissions = by_contact  # the caller checked the contact is the user's
		existing = {row.section: row for row in doc.crm_portal_access}
		for section, requested in rows.items():
			row = existing.get(section)
			merged = core.merge(_rows([row]).get(section) if row else None, requested)
			if merged is None:
				if row:
					doc.remove(row)
				continue
			view, email = merged
			values = {
				"view": int(bool(view)),
				"email": int(bool(email)),
				"inherit_view": int(view is None),
				"inherit_email": int(email is None),
			}
			if requested[1] != core.KEEP:
				values["email_by_contact"] = int(by_contact and email is False)
			if row:
				row.update(values)
			else:
				doc.append("crm_portal_access", {"section": section, **values})

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
		message = _("E-mail preferences changed by the contact: {0}") if by_contact else None
		doc.add_comment("Info", (message or _("Portal access changed: {0}")).format("; ".join(changes)))
	return after


def sections() -> list[dict]:
	"""The portal sections in order, with the switches each one has."""
	return [{"section": area.name, "view": int(area.view), "email": int(area.email)} for area in core.AREAS]


def customer_access(customer: str) -> dict:
	"""The grid on the Customer: each readable contact's switches as this customer's contact
	(judged with this customer's group template); contacts the user may not read are counted."""
	contacts = links.contacts_of("Customer", customer)
	readable = visibility.readable("Contact", contacts)
	shown = [contact for contact in contacts if contact in readable]
	groups = _customer_groups({customer})
	group = _group_rows(set(groups.values())).get(groups.get(customer))
	default = _default_rows()
	rows = _contact_rows(shown)
	titles = dict(
		frappe.get_all(
			"Contact", filters={"name": ("in", shown or [""])}, fields=["name", "full_name"], as_list=True
		)
	)
	return {
		"sections": sections(),
		"contacts": [
			{
				"contact": contact,
				"title": titles.get(contact) or contact,
				"can_write": int(bool(frappe.has_permission("Contact", "write", contact))),
				"access": _as_dict(core.effective(default, group, rows.get(contact))),
			}
			for contact in shown
		],
		"hidden": len(contacts) - len(shown),
	}


def _layers_of(contact: str) -> tuple[core.Rows, core.Rows | None, core.Rows | None, set[str]]:
	"""(default, the customer group's template, the contact's rows, sections whose e-mail the
	contact switched off itself) for a contact of a customer."""
	customers = [customer for _c, customer in links.contact_links([contact])]
	groups = _customer_groups({customers[0]}) if customers else {}
	group = _group_rows(set(groups.values())).get(groups.get(customers[0])) if customers else None
	access = DocType("Lifecycle Portal Access")
	own = set(
		frappe.qb.from_(access)
		.select(access.section)
		.where((access.parenttype == "Contact") & (access.parent == contact) & (access.email_by_contact == 1))
		.run(pluck=True)
	)
	return _default_rows(), group, _contact_rows([contact]).get(contact), own


def my_email_preferences(user: str | None = None) -> list[dict]:
	"""The portal page "E-mail Preferences": for each of the user's contacts at a customer, the
	e-mails it gets and whether it may change each one itself."""
	user = user or frappe.session.user
	contacts = frappe.get_all(
		"Contact", filters={"user": user}, fields=["name", "full_name"], order_by="name"
	)
	customers_of: dict[str, list[str]] = {}
	for contact, customer in links.contact_links([c.name for c in contacts]):
		customers_of.setdefault(contact, []).append(customer)
	result = []
	for contact in contacts:
		if contact.name not in customers_of:
			continue
		default, group, rows, own = _layers_of(contact.name)
		grants = core.effective(default, group, rows)
		sections = []
		for area in core.AREAS:
			if not area.email:
				continue
			on = grants[area.name].email
			may_on = core.may_opt_in(area.name, default, group, rows, area.name in own)
			sections.append({"section": area.name, "email": int(on), "may_change": int(on or may_on)})
		# only the user's own contact is named: the customer is not read for a portal user
		result.append(
			{"contact": contact.name, "contact_name": contact.full_name or contact.name, "sections": sections}
		)
	return result


def set_my_email_preferences(contact: str, emails: dict, user: str | None = None) -> list[dict]:
	"""The contact's own choice of e-mails ({section: 0 / 1}); only its own contact, only e-mail
	switches, and on only where its company allows it (core.may_opt_in)."""
	user = user or frappe.session.user
	if user == "Guest" or frappe.db.get_value("Contact", contact, "user") != user:
		frappe.throw(
			_("You may only change the e-mail preferences of your own contact."), frappe.PermissionError
		)
	if not links.contact_links([contact]):
		frappe.throw(_("Your contact is not linked to a customer."), frappe.ValidationError)
	if not isinstance(emails, dict) or not emails:
		frappe.throw(
			_("Pass the e-mails to switch, such as {0}.").format('{"Invoices": 0}'), frappe.ValidationError
		)
	try:
		requested = core.parse_access({section: {"email": value} for section, value in emails.items()})
	except core.InvalidAccess as error:
		refuse(error)
	default, group, rows, own = _layers_of(contact)
	grants = core.effective(default, group, rows)
	changes = {}
	for section, (_view, email) in requested.items():
		if email is None:
			frappe.throw(_("Switch {0} with 0 or 1.").format(_(section)), frappe.ValidationError)
		if email == grants[section].email:
			continue
		if email and not core.may_opt_in(section, default, group, rows, section in own):
			frappe.throw(
				_("Your company does not send you {0} e-mails; ask your contact person there.").format(
					_(section)
				),
				frappe.PermissionError,
			)
		# off: the contact's own "no"; on: back to what the company sends (the template, default)
		changes[section] = (core.KEEP, False if not email else None)
	if changes:
		_write(contact, changes, by_contact=True)
	return my_email_preferences(user)


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
	# a customer the user may not read (a Task's project's one) is not named, nor its contacts
	if not customer or not visibility.can_read("Customer", customer):
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
	allowed = {_bare(row["email"]) for row in opted_in_contacts(customer, kind)}
	known = {_bare(email) for email in known}
	# "Name <mail>" and " mail" (Frappe splits "a, b" on the comma) are the same address
	kept = [a for a in addresses if _bare(a) not in known or _bare(a) in allowed]
	return kept, [a for a in addresses if a not in kept]


def _bare(address: str) -> str:
	return (frappe.utils.parse_addr(address or "")[1] or "").strip().lower()
