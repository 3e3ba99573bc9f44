"""Business registries over HTTP, and filling a Customer or Lead from their answers.

core/registry*.py decides what to ask and what an answer means; this module sends the requests
(base URLs, switches and the timeout come from CRM Lifecycle Settings), turns every failure into
a translated 4xx error, reads the record's current values and writes the accepted changes in one
transaction. Nothing is written before the registry has answered.
"""

import json

import requests

import frappe
from frappe import _
from frappe.contacts.doctype.address.address import get_address_display
from frappe.query_builder.functions import Replace, Upper
from frappe.utils import cint, flt

from crm_lifecycle.core import registry as core
from crm_lifecycle.core import registry_providers, shipped
from crm_lifecycle.services import links, locking, refusals, visibility
from crm_lifecycle.services.refusals import UnavailableError
from crm_lifecycle.services.transaction import atomic

SETTINGS = "CRM Lifecycle Settings"
DEFAULTS = {
	"ares_enabled": 1,
	"ares_base_url": "https://ares.gov.cz/ekonomicke-subjekty-v-be/rest",
	"vies_enabled": 1,
	"vies_base_url": "https://ec.europa.eu/taxation_customs/vies/rest-api",
	"registry_timeout": 10,
}
# shipped in crm_lifecycle/fixtures/shipped/ (firmy.cz, Google, the ARES page)
DEFAULT_WEB_SEARCHES = [
	(row["label"], row["url_template"]) for row in shipped.settings_tables()["web_searches"]
]
# The candidate's terms -> the record's fields (the address goes to a linked Address).
FIELD_MAP = {
	"Customer": {
		"name": "customer_name",
		"tax_id": "tax_id",
		"registration_no": "crm_registration_no",
		"legal_form": "crm_legal_form",
	},
	"Lead": {
		"name": "company_name",
		"tax_id": "crm_tax_id",
		"registration_no": "crm_registration_no",
		"legal_form": "crm_legal_form",
	},
}


def labels() -> dict[str, str]:
	return {
		"name": _("Name"),
		"tax_id": _("Tax ID"),
		"registration_no": _("Registration No"),
		"legal_form": _("Legal Form"),
		"address": _("Registered Address (primary billing address)"),
	}


def check_doctype(doctype: str) -> None:
	if doctype not in FIELD_MAP:
		frappe.throw(_("Only a Customer or a Lead can be filled from a registry."), frappe.ValidationError)


def settings() -> dict:
	values = frappe.db.get_singles_dict(SETTINGS, cast=True)
	return {field: values.get(field) for field in DEFAULTS}


def _provider(key: str) -> core.Provider:
	provider = registry_providers.providers().get(key)
	if not provider:
		frappe.throw(_("Unknown registry {0}.").format(key), frappe.ValidationError)
	if not cint(settings().get(f"{key}_enabled")):
		frappe.throw(
			_("The registry {0} is switched off in CRM Lifecycle Settings.").format(provider.label),
			frappe.ValidationError,
		)
	return provider


def enabled_providers() -> list[dict]:
	values = settings()
	return [
		{"key": key, "label": provider.label, "can_search": provider.can_search}
		for key, provider in registry_providers.providers().items()
		if cint(values.get(f"{key}_enabled"))
	]


def _sender(provider: core.Provider) -> core.Send:
	values = settings()
	base_url = (values.get(f"{provider.key}_base_url") or DEFAULTS[f"{provider.key}_base_url"]).rstrip("/")
	timeout = flt(values.get("registry_timeout")) or DEFAULTS["registry_timeout"]

	def send(request: core.Request) -> core.Response:
		try:
			response = requests.request(
				request.method,
				base_url + request.path,
				json=request.json,
				timeout=timeout,
				headers={"Accept": "application/json"},
			)
		except requests.Timeout:
			frappe.throw(
				_("{0} did not answer within {1} seconds. Nothing was changed.").format(
					provider.label, timeout
				),
				UnavailableError,
				title=_("Registry Unavailable"),
			)
		except requests.RequestException as error:
			frappe.throw(
				_("{0} cannot be reached ({1}). Nothing was changed.").format(
					provider.label, type(error).__name__
				),
				UnavailableError,
				title=_("Registry Unavailable"),
			)
		return core.Response(response.status_code, response.content.decode("utf-8", errors="replace"))

	return send


def _invalid_query_message(provider: core.Provider, error: core.InvalidQuery) -> str:
	messages = {
		"empty": _("Type a number or a name to look up."),
		"name_too_short": _("Type at least 3 letters of the name."),
		"no_search": _("{0} can only look up a number, not search by name.").format(provider.label),
		"ico_format": _("{0} is not a registration number (IČO has up to 8 digits).").format(error.detail),
		"ico_checksum": _("{0} is not a valid registration number: its check digit does not match.").format(
			error.detail
		),
		"vat_format": _(
			"{0} is not an EU VAT number: the member state's two letters, then the number (CZ00177041)."
		).format(error.detail),
		"refused": _("{0} refused the query: {1}").format(
			provider.label, error.detail or _("no reason given")
		),
		"unknown_field": _("These fields cannot be filled from a registry: {0}").format(error.detail),
	}
	return messages.get(error.code, _("{0} cannot answer this query.").format(provider.label))


def _ask(provider: core.Provider, query: str, ask):
	"""Runs one registry exchange; every way it can fail becomes a translated 4xx error."""
	try:
		return ask()
	except core.RegistryError as error:
		if isinstance(error, core.InvalidQuery):
			message, title = _invalid_query_message(provider, error), None
		elif isinstance(error, core.NotFound):
			message = _("{0} knows no record {1}. Nothing was changed.").format(provider.label, query)
			title = _("Not Found")
		elif isinstance(error, core.Unavailable):
			message = _("{0} cannot answer right now ({1}). Try again later; nothing was changed.").format(
				provider.label, error.detail or error.code
			)
			title = _("Registry Unavailable")
		else:
			message = _("{0} gave an answer this app does not understand ({1}). Nothing was changed.").format(
				provider.label, error.code
			)
			title = _("Registry Unavailable")
		refusals.throw(error, message, title=title)


def find(provider_key: str, query: str) -> list[core.Candidate]:
	provider = _provider(provider_key)
	return _ask(provider, query, lambda: provider.find(query, _sender(provider)))


def fetch(provider_key: str, registry_id: str) -> core.Candidate:
	provider = _provider(provider_key)
	return _ask(provider, registry_id, lambda: provider.lookup(registry_id, _sender(provider)))


def current(doctype: str, name: str) -> core.Record:
	fields = FIELD_MAP[doctype]
	values = frappe.db.get_value(doctype, name, list(fields.values()), as_dict=True)
	if values is None:
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	address = None
	address_name = links.primary_address(doctype, name)
	# an address the user may not read is not shown, as if there were none
	if address_name and visibility.can_read("Address", address_name):
		row = frappe.db.get_value(
			"Address",
			address_name,
			["address_line1", "address_line2", "city", "pincode", "country"],
			as_dict=True,
		)
		address = core.Address(
			line1=row.address_line1 or "",
			line2=row.address_line2 or "",
			city=row.city or "",
			postal_code=row.pincode or "",
			country_code=(frappe.db.get_value("Country", row.country, "code") or "").upper(),
		)
	return core.Record(
		**{key: values.get(fieldname) or "" for key, fieldname in fields.items()}, address=address
	)


def _changes(candidate: core.Candidate, record: core.Record) -> list[dict]:
	names = labels()
	return [{**change.__dict__, "label": names[change.field]} for change in core.diff(candidate, record)]


def lookup(provider_key: str, query: str, doctype: str | None = None, name: str | None = None) -> dict:
	"""Candidates for the query, each with the customer that already has its number (if any);
	with a doctype, each says what filling that record (or, without a name, a new one) would change."""
	candidates = find(provider_key, query)
	record = (current(doctype, name) if name else core.Record()) if doctype else None
	return {
		"provider": provider_key,
		"candidates": [
			{
				**candidate.as_dict(),
				"customer": existing_customer(candidate.registration_no, candidate.tax_id, except_=name),
				**({"changes": _changes(candidate, record)} if record else {}),
			}
			for candidate in candidates
		],
	}


def customers_with(registration_no: str = "", tax_id: str = "", except_: str | None = None) -> list[str]:
	"""Customers already registered under that number (spacing and case aside): by registration
	number, else (VIES knows no registration number) by tax id."""
	field, number = ("crm_registration_no", registration_no) if registration_no else ("tax_id", tax_id)
	key = core.number_key(number)
	if not key:
		return []
	Customer = frappe.qb.DocType("Customer")
	query = (
		frappe.qb.from_(Customer)
		.select(Customer.name)
		.where(Upper(Replace(Customer[field], " ", "")) == key)
		.orderby(Customer.creation)
	)
	if except_:
		query = query.where(Customer.name != except_)
	return query.run(pluck=True)


def existing_customer(registration_no: str = "", tax_id: str = "", except_: str | None = None) -> dict | None:
	"""The customer that has the number: named when the user may read it, else only said to exist."""
	names = customers_with(registration_no, tax_id, except_)
	if not names:
		return None
	readable = visibility.readable("Customer", names)  # an invalid customer is still named
	name = next((name for name in names if name in readable), None)
	if not name:
		return {"name": None, "title": None}
	return {"name": name, "title": frappe.db.get_value("Customer", name, "customer_name")}


def refuse_duplicate(doc) -> None:
	"""A Customer's registration number belongs to one customer: a new customer (or a changed
	number) that another customer has already is refused, naming that customer if readable."""
	number = doc.get("crm_registration_no")
	if not number or not (doc.is_new() or doc.has_value_changed("crm_registration_no")):
		return
	other = existing_customer(number, except_=None if doc.is_new() else doc.name)
	if not other:
		return
	if other["name"]:
		message = _("Registration No {0} already belongs to customer {1} ({2}).").format(
			frappe.bold(number), frappe.bold(other["title"]), other["name"]
		)
	else:
		message = _("Registration No {0} already belongs to another customer.").format(frappe.bold(number))
	frappe.throw(message, frappe.DuplicateEntryError, title=_("Already a Customer"))


def add_registered_address(doc) -> None:
	"""A new Customer or Lead filled from a registry before its first save carries the registered
	seat (`crm_registry_address`, not a field): it becomes the record's primary billing Address."""
	values = doc.get("crm_registry_address")
	if not values:
		return
	if isinstance(values, str):
		try:
			values = json.loads(values)
		except ValueError:
			values = None
	if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
		frappe.throw(_("The registered address is not readable."), frappe.ValidationError)
	address = core.Address(
		**{
			key: core.clean(values.get(key))
			for key in ("line1", "line2", "city", "postal_code", "country_code")
		}
	)
	if not address.is_usable():
		frappe.throw(
			_("The registered address needs a street, a city and a country."), frappe.ValidationError
		)
	saved = _save_address(
		doc, core.Address(**{**address.__dict__, "country_code": address.country_code.upper()})
	)
	if doc.doctype == "Customer":
		# as ERPNext does for the address typed into its quick entry (Customer.create_primary_address)
		doc.db_set(
			{"customer_primary_address": saved.name, "primary_address": get_address_display(saved.as_dict())}
		)


def _country(code: str) -> str:
	country = frappe.db.get_value("Country", {"code": code.lower()}, "name")
	if not country:
		frappe.throw(_("No Country has the code {0}.").format(code), frappe.ValidationError)
	return country


def _save_address(doc, address: core.Address) -> "frappe.Document":
	"""Updates the primary billing Address, or makes one (ERPNext then unmarks the previous primary)."""
	existing = links.primary_address(doc.doctype, doc.name)
	if existing:
		target = frappe.get_doc("Address", existing)
	else:
		target = frappe.new_doc("Address")
		target.update({"address_type": "Billing", "is_primary_address": 1})
		target.append("links", {"link_doctype": doc.doctype, "link_name": doc.name})
	target.update(
		{
			"address_title": target.address_title or doc.get(FIELD_MAP[doc.doctype]["name"]) or doc.name,
			"address_line1": address.line1,
			"address_line2": address.line2,
			"city": address.city,
			"pincode": address.postal_code,
			"country": _country(address.country_code),
		}
	)
	target.save()
	return target


def apply(doctype: str, name: str, provider_key: str, registry_id: str, fields: list[str]) -> dict:
	"""Asks the registry again (the client's copy is not trusted) and writes only the accepted fields
	that differ, in one transaction; a registry failure leaves everything as it was."""
	locking.check_write_to(doctype, name)
	provider = _provider(provider_key)
	candidate = fetch(provider_key, registry_id)
	wanted = _ask(
		provider,
		registry_id,
		lambda: core.accepted_changes(core.diff(candidate, current(doctype, name)), fields),
	)
	if not wanted:
		return {"changed": [], "address": None}
	doc = frappe.get_doc(doctype, name)
	address = None
	with atomic():
		if any(change.field == "address" for change in wanted):
			address = _save_address(doc, candidate.address)
			doc.reload()  # ERPNext's Address.on_update may have written the customer's primary_address
			if doctype == "Customer":
				doc.customer_primary_address = address.name
				doc.primary_address = get_address_display(address.as_dict())
		for change in wanted:
			if change.field != "address":
				doc.set(FIELD_MAP[doctype][change.field], change.new)
		doc.save()
		names = labels()
		doc.add_comment(
			"Info",
			_("Filled from {0} ({1}): {2}").format(
				provider.label, candidate.registry_id, ", ".join(names[change.field] for change in wanted)
			),
		)
	return {"changed": [change.field for change in wanted], "address": address.name if address else None}


def web_searches(doctype: str, name: str) -> list[dict]:
	"""The Settings' search shortcuts filled with the record's values; incomplete ones are left out."""
	fields = FIELD_MAP[doctype]
	values = frappe.db.get_value(doctype, name, list(fields.values()), as_dict=True) or {}
	filled = {key: values.get(fieldname) for key, fieldname in fields.items()}
	if doctype == "Lead" and not filled["name"]:
		filled["name"] = frappe.db.get_value("Lead", name, "lead_name")
	rows = frappe.get_all(
		"Lifecycle Web Search",
		filters={"parent": SETTINGS, "parenttype": SETTINGS, "parentfield": "web_searches"},
		fields=["label", "url_template"],
		order_by="idx",
	)
	links = [{"label": row.label, "url": core.search_url(row.url_template or "", filled)} for row in rows]
	return [link for link in links if link["url"]]


def set_defaults() -> None:
	"""Registry settings that were never stored get their defaults, and an empty shortcut list the
	shipped shortcuts (install, and once for sites that had the app before)."""
	Singles = frappe.qb.DocType("Singles")
	stored = set(
		frappe.qb.from_(Singles).select(Singles.field).where(Singles.doctype == SETTINGS).run(pluck=True)
	)
	missing = {field: value for field, value in DEFAULTS.items() if field not in stored}
	if missing:
		frappe.db.set_single_value(SETTINGS, missing)
	if frappe.db.count("Lifecycle Web Search", {"parent": SETTINGS, "parentfield": "web_searches"}):
		return
	for idx, (label, url_template) in enumerate(DEFAULT_WEB_SEARCHES, start=1):
		frappe.get_doc(
			{
				"doctype": "Lifecycle Web Search",
				"parent": SETTINGS,
				"parenttype": SETTINGS,
				"parentfield": "web_searches",
				"idx": idx,
				"label": label,
				"url_template": url_template,
			}
		).db_insert()
