"""Fill from a business registry (issue 5): the REAL HTTP client (services/registry.py, `requests`)
talks to a local registry on 127.0.0.1 that serves the recorded ARES and VIES answers in
tests/fixtures/registry/. The path under the base URL picks the behaviour:

- /ares/..., /vies/...   the recorded answers (unknown numbers: the registry's 404 / "invalid")
- /slow/...              answers after longer than the configured timeout
- /malformed/...         200 with broken JSON
- /down/...              503 with an HTML error page
and a base URL on a closed port gives "connection refused".
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import frappe

from crm_lifecycle.api import registry as api
from crm_lifecycle.services import registry as service
from crm_lifecycle.services.refusals import UnavailableError
from tests import factories

FIXTURES = Path(__file__).parents[1] / "fixtures" / "registry"
TIMEOUT = 0.5
SLOW = 2.0


class Registry(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"

	def log_message(self, *args):  # keep pytest's output clean
		pass

	def do_GET(self):
		self.route()

	def do_POST(self):
		self.route()

	def reply(self, status: int, body: str, content_type: str = "application/json") -> None:
		data = body.encode("utf-8")
		try:
			self.send_response(status)
			self.send_header("Content-Type", content_type)
			self.send_header("Content-Length", str(len(data)))
			self.end_headers()
			self.wfile.write(data)
		except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
			pass

	def fixture(self, name: str, status: int = 200) -> None:
		self.reply(status, (FIXTURES / name).read_text(encoding="utf-8"))

	def route(self):
		length = int(self.headers.get("Content-Length") or 0)
		body = json.loads(self.rfile.read(length)) if length else None
		self.server.seen.append((self.command, self.path, body))
		mode, _, rest = self.path.lstrip("/").partition("/")
		if mode == "slow":
			time.sleep(SLOW)
			return self.fixture("ares_00177041.json")
		if mode == "malformed":
			return self.reply(200, '{"ico": "00177041", "obchodniJmeno": ')
		if mode == "down":
			return self.reply(503, "<html><body>Service Unavailable</body></html>", "text/html")
		if mode == "ares" and self.command == "GET" and rest.startswith("ekonomicke-subjekty/"):
			name = f"ares_{rest.rsplit('/', 1)[1]}.json"
			return (
				self.fixture(name) if (FIXTURES / name).exists() else self.fixture("ares_not_found.json", 404)
			)
		if mode == "ares" and self.command == "POST" and rest == "ekonomicke-subjekty/vyhledat":
			name = (body or {}).get("obchodniJmeno", "")
			if "koda" in name.lower():
				return self.fixture("ares_search_skoda.json")
			if len(name) < 5:
				return self.fixture("ares_search_too_many.json", 400)
			return self.reply(200, '{"pocetCelkem": 0, "ekonomickeSubjekty": []}')
		if mode == "vies" and rest.startswith("ms/"):
			_ms, country, _vat, number = rest.split("/")
			name = f"vies_{country}{number}.json"
			if country == "IT":
				return self.fixture("vies_ms_unavailable.json")
			return self.fixture(name) if (FIXTURES / name).exists() else self.fixture("vies_invalid.json")
		return self.reply(404, '{"kod": "NENALEZENO"}')


@pytest.fixture(scope="module")
def registry_server():
	server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
	server.daemon_threads = True
	server.seen = []
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	yield server
	server.shutdown()
	server.server_close()


def closed_port_url() -> str:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		port = sock.getsockname()[1]
	return f"http://127.0.0.1:{port}"


@pytest.fixture
def registry(registry_server):
	"""Settings point at the local registry (rolled back after the test like everything else)."""
	url = f"http://127.0.0.1:{registry_server.server_address[1]}"

	def point(ares: str = "/ares", vies: str = "/vies", **values):
		frappe.db.set_single_value(
			service.SETTINGS,
			{
				"ares_enabled": 1,
				"vies_enabled": 1,
				"ares_base_url": ares if ares.startswith("http") else url + ares,
				"vies_base_url": vies if vies.startswith("http") else url + vies,
				"registry_timeout": TIMEOUT,
				**values,
			},
		)

	point()
	registry_server.seen.clear()
	point.seen = registry_server.seen
	yield point
	frappe.clear_document_cache(service.SETTINGS, service.SETTINGS)


def linked_addresses(doctype: str, name: str) -> list[str]:
	return frappe.get_all(
		"Address",
		filters=[["Dynamic Link", "link_doctype", "=", doctype], ["Dynamic Link", "link_name", "=", name]],
		pluck="name",
	)


def snapshot(doctype: str, name: str) -> dict:
	fields = ["modified", *service.FIELD_MAP[doctype].values()]
	return {
		"record": frappe.db.get_value(doctype, name, fields, as_dict=True),
		"addresses": linked_addresses(doctype, name),
		"comments": frappe.db.count("Comment", {"reference_doctype": doctype, "reference_name": name}),
	}


def test_lookup_by_number_shows_the_diff_and_apply_writes_only_accepted_fields(registry):
	customer = factories.make_customer(customer_name="Skoda")

	found = api.lookup("ares", "177041", "Customer", customer.name)
	[candidate] = found["candidates"]
	assert (candidate["registry_id"], candidate["tax_id"]) == ("00177041", "CZ00177041")
	assert {change["field"]: change["new"] for change in candidate["changes"]} == {
		"name": "Škoda Auto a.s.",
		"tax_id": "CZ00177041",
		"registration_no": "00177041",
		"legal_form": "Akciová společnost",
		"address": "tř. Václava Klementa 869, Mladá Boleslav II, 293 01 Mladá Boleslav, CZ",
	}
	assert registry.seen == [("GET", "/ares/ekonomicke-subjekty/00177041", None)]

	result = api.apply(
		"Customer", customer.name, "ares", "00177041", json.dumps(["tax_id", "registration_no", "address"])
	)
	assert result["changed"] == ["tax_id", "registration_no", "address"]
	assert len(registry.seen) == 2  # apply asked the registry again, it does not trust the client

	customer.reload()
	assert (customer.customer_name, customer.crm_legal_form) == ("Skoda", None)
	assert (customer.tax_id, customer.crm_registration_no) == ("CZ00177041", "00177041")
	[address_name] = linked_addresses("Customer", customer.name)
	address = frappe.get_doc("Address", address_name)
	assert (address.address_type, address.is_primary_address) == ("Billing", 1)
	assert (address.address_line1, address.address_line2) == ("tř. Václava Klementa 869", "Mladá Boleslav II")
	assert (address.city, address.pincode, address.country) == ("Mladá Boleslav", "293 01", "Czech Republic")
	assert customer.customer_primary_address == address.name
	assert "Mladá Boleslav" in customer.primary_address
	assert frappe.db.exists(
		"Comment",
		{"reference_doctype": "Customer", "reference_name": customer.name, "content": ("like", "%ARES%")},
	)

	again = api.lookup("ares", "00177041", "Customer", customer.name)["candidates"][0]["changes"]
	assert [change["field"] for change in again] == ["name", "legal_form"]


def test_changed_registered_address_updates_the_primary_billing_address(registry):
	customer = factories.make_customer()
	api.apply("Customer", customer.name, "ares", "00177041", ["address"])
	[first] = linked_addresses("Customer", customer.name)

	api.apply("Customer", customer.name, "ares", "27074358", ["address", "name"])

	assert linked_addresses("Customer", customer.name) == [first]
	address = frappe.get_doc("Address", first)
	assert (address.address_line1, address.city, address.pincode) == (
		"Budějovická 778/3a",
		"Praha 4",
		"140 00",
	)
	assert frappe.db.get_value("Customer", customer.name, "customer_name") == "Asseco Central Europe, a.s."


def test_an_address_the_user_may_not_read_is_not_shown_in_the_changes(registry, as_user):
	customer = factories.make_customer()
	api.apply("Customer", customer.name, "ares", "00177041", ["address"])
	seller = factories.make_user(roles=["Sales User"])
	other = frappe.get_doc(
		{"doctype": "Address", "address_title": "Elsewhere", "address_line1": "Elsewhere 1", "city": "Brno"}
	)
	other.insert(ignore_permissions=True)
	# on the addresses themselves: the customer (linking its address) stays readable
	factories.restrict(seller.name, "Address", other.name, apply_to_all_doctypes=0, applicable_for="Address")

	def current_address() -> str:
		[candidate] = api.lookup("ares", "27074358", "Customer", customer.name)["candidates"]
		return next(change["current"] for change in candidate["changes"] if change["field"] == "address")

	with as_user(seller.name):
		assert current_address() == ""
	assert "Mladá Boleslav" in current_address()  # control: who may read it sees it


def test_search_by_name_on_a_lead_and_apply_to_the_lead(registry):
	lead = factories.make_lead(with_contact=False, company_name="Skoda")

	found = api.lookup("ares", "Škoda", "Lead", lead.name)
	assert [c["registration_no"] for c in found["candidates"]] == ["00177041", "62623753"]
	assert registry.seen[-1] == (
		"POST",
		"/ares/ekonomicke-subjekty/vyhledat",
		{"obchodniJmeno": "Škoda", "start": 0, "pocet": 10},
	)
	assert all(c["changes"] for c in found["candidates"])

	api.apply(
		"Lead", lead.name, "ares", "62623753", ["name", "tax_id", "registration_no", "legal_form", "address"]
	)
	lead.reload()
	assert (lead.company_name, lead.crm_tax_id, lead.crm_registration_no) == (
		"Škoda Transportation a.s.",
		"CZ62623753",
		"62623753",
	)
	[address] = linked_addresses("Lead", lead.name)
	assert frappe.db.get_value("Address", address, "city") == "Plzeň 3"


def test_vies_check_fills_the_tax_id_and_address(registry):
	customer = factories.make_customer()
	found = api.lookup("vies", "CZ 00177041", "Customer", customer.name)
	assert registry.seen == [("GET", "/vies/ms/CZ/vat/00177041", None)]
	assert {c["field"] for c in found["candidates"][0]["changes"]} == {"name", "tax_id", "address"}
	api.apply("Customer", customer.name, "vies", "CZ00177041", ["tax_id"])
	assert frappe.db.get_value("Customer", customer.name, "tax_id") == "CZ00177041"


FAILURES = [
	# (name, settings, provider, number, error class, words in the message)
	("unknown number", {}, "ares", "45274649", frappe.DoesNotExistError, "knows no record"),
	("timeout", {"ares": "/slow"}, "ares", "00177041", UnavailableError, "did not answer within"),
	(
		"malformed answer",
		{"ares": "/malformed"},
		"ares",
		"00177041",
		UnavailableError,
		"does not understand",
	),
	(
		"server error",
		{"ares": "/down"},
		"ares",
		"00177041",
		UnavailableError,
		"cannot answer right now",
	),
	(
		"connection refused",
		{"ares": "closed"},
		"ares",
		"00177041",
		UnavailableError,
		"cannot be reached",
	),
	("bad check digit", {}, "ares", "00177042", frappe.ValidationError, "check digit"),
	("invalid VAT number", {}, "vies", "CZ99999999", frappe.DoesNotExistError, "knows no record"),
	("member state down", {}, "vies", "IT00159560366", UnavailableError, "MS_UNAVAILABLE"),
	(
		"registry switched off",
		{"ares_enabled": 0},
		"ares",
		"00177041",
		frappe.ValidationError,
		"switched off",
	),
]


@pytest.mark.parametrize(
	("case", "settings", "provider", "number", "error", "words"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_failures_say_why_and_change_nothing(registry, case, settings, provider, number, error, words):
	customer = factories.make_customer(customer_name="Skoda")
	before = snapshot("Customer", customer.name)
	if settings.get("ares") == "closed":
		settings = {"ares": closed_port_url()}
	registry(**settings)

	started = time.monotonic()
	with pytest.raises(error) as raised:
		api.apply("Customer", customer.name, provider, number, ["name", "tax_id", "address"])
	assert type(raised.value) is error  # not merely a subclass (DoesNotExistError is a ValidationError)
	assert words in str(raised.value)
	with pytest.raises(error):
		api.lookup(provider, number, "Customer", customer.name)
	assert snapshot("Customer", customer.name) == before
	if case == "timeout":
		assert time.monotonic() - started < SLOW * 2  # the client gave up; it did not wait for the answer
	if case == "bad check digit":
		assert registry.seen == []  # refused before asking

	# control: the same call succeeds once the reason is gone
	registry()
	valid = {"ares": "00177041", "vies": "CZ00177041"}[provider]
	assert api.apply("Customer", customer.name, provider, valid, ["name", "tax_id"])["changed"]


def test_search_with_too_many_results_passes_on_the_registry_words(registry):
	with pytest.raises(frappe.ValidationError, match="Příliš mnoho"):
		api.lookup("ares", "Nov")
	assert api.lookup("ares", "Nonexistent Company Ltd")["candidates"] == []


def test_only_customers_and_leads_and_only_known_fields(registry):
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name)
	with pytest.raises(frappe.ValidationError, match="Only a Customer or a Lead"):
		api.apply("Contact", contact.name, "ares", "00177041", ["name"])
	with pytest.raises(frappe.ValidationError, match="customer_group"):
		api.apply("Customer", customer.name, "ares", "00177041", ["customer_group"])
	assert api.apply("Customer", customer.name, "ares", "00177041", ["legal_form"])["changed"] == [
		"legal_form"
	]


def test_a_user_who_cannot_write_the_customer_is_refused_before_the_registry_is_asked(registry, as_user):
	customer = factories.make_customer()
	reader = factories.make_user(roles=["Stock User"])  # may read customers, not write them
	writer = factories.make_user(roles=["Sales User"])
	with as_user(reader.name):
		with pytest.raises(frappe.PermissionError):
			api.apply("Customer", customer.name, "ares", "00177041", ["tax_id"])
		with pytest.raises(frappe.PermissionError):
			api.lookup("ares", "00177041")
	assert registry.seen == []
	with as_user(writer.name):
		assert api.lookup("ares", "00177041")["candidates"]
		assert api.apply("Customer", customer.name, "ares", "00177041", ["tax_id"])["changed"] == ["tax_id"]


def test_web_search_shortcuts_are_filled_from_the_record(registry):
	frappe.db.delete("Lifecycle Web Search", {"parent": service.SETTINGS})
	service.set_defaults()  # an empty list gets the shipped shortcuts again
	customer = factories.make_customer(customer_name="Škoda Auto a.s.")

	links = api.shortcuts("Customer", customer.name)
	assert [p["key"] for p in links["providers"]] == ["ares", "vies"]
	assert [(link["label"], link["url"]) for link in links["web_searches"]] == [
		("firmy.cz", "https://www.firmy.cz/?q=%C5%A0koda%20Auto%20a.s."),
		("Google", "https://www.google.com/search?q=%C5%A0koda%20Auto%20a.s."),
	]  # the ARES page needs a registration number

	frappe.db.set_value("Customer", customer.name, "crm_registration_no", "00177041")
	assert api.shortcuts("Customer", customer.name)["web_searches"][-1] == {
		"label": "ARES",
		"url": "https://ares.gov.cz/ekonomicke-subjekty?ico=00177041",
	}
	registry(vies_enabled=0)
	assert [p["key"] for p in api.shortcuts("Customer", customer.name)["providers"]] == ["ares"]


@pytest.mark.http
def test_over_http_refusals_are_4xx(http, committed):
	customer = committed.make_customer()
	user = committed.make_user(roles=["Stock User"])
	args = {
		"doctype": "Customer",
		"name": customer.name,
		"provider": "ares",
		"registry_id": "00177042",
		"fields": '["tax_id"]',
	}

	reader = http(user.name, committed.PORTAL_PASSWORD)
	assert reader.post("/api/method/crm_lifecycle.api.registry.apply", data=args).status_code == 403

	# control: an administrator passes the permission check and gets the check digit refused (417),
	# before any registry is asked
	admin = http("Administrator", "admin")
	response = admin.post("/api/method/crm_lifecycle.api.registry.apply", data=args)
	assert response.status_code == 417, response.text
	assert frappe.db.get_value("Customer", customer.name, "tax_id") is None


# A new record from the registry (issue 16): filled before the first save, the seat becomes the
# primary billing address on save, a number that is already a customer's is refused.

SKODA_SEAT = {
	"line1": "tř. Václava Klementa 869",
	"line2": "Mladá Boleslav II",
	"city": "Mladá Boleslav",
	"postal_code": "293 01",
	"country_code": "CZ",
}


def new_customer(**values):
	return frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_type": "Company",
			"customer_group": factories.leaf("Customer Group"),
			"territory": factories.leaf("Territory"),
			**values,
		}
	)


def test_a_lookup_for_a_new_record_offers_every_field_and_the_seat(registry):
	[candidate] = api.lookup("ares", "00177041", "Customer")["candidates"]
	assert [change["field"] for change in candidate["changes"]] == [
		"name",
		"tax_id",
		"registration_no",
		"legal_form",
		"address",
	]
	assert all(change["current"] == "" for change in candidate["changes"])
	assert candidate["address"] == SKODA_SEAT
	assert candidate["customer"] is None
	offered = api.providers("Customer")
	assert [p["key"] for p in offered["providers"]] == ["ares", "vies"]
	assert offered["fields"]["registration_no"] == "crm_registration_no"


def test_the_registered_seat_becomes_the_primary_billing_address_when_the_new_customer_is_saved(registry):
	customer = new_customer(
		customer_name="Škoda Auto a.s.",
		tax_id="CZ00177041",
		crm_registration_no="00177041",
		crm_legal_form="Akciová společnost",
		crm_registry_address=SKODA_SEAT,
	).insert()

	[address_name] = linked_addresses("Customer", customer.name)
	address = frappe.get_doc("Address", address_name)
	assert (address.address_type, address.is_primary_address) == ("Billing", 1)
	assert (address.address_line1, address.city, address.pincode, address.country) == (
		"tř. Václava Klementa 869",
		"Mladá Boleslav",
		"293 01",
		"Czech Republic",
	)
	customer.reload()
	assert customer.customer_primary_address == address.name
	assert "Mladá Boleslav" in customer.primary_address
	# control: a customer saved without a seat gets no address
	assert (
		linked_addresses("Customer", new_customer(customer_name=factories.unique("Plain")).insert().name)
		== []
	)


def test_a_new_lead_gets_the_seat_too(registry):
	lead = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": "Jana",
			"company_name": "Škoda Auto a.s.",
			"crm_registration_no": "00177041",
			"crm_registry_address": json.dumps(SKODA_SEAT),  # as the REST API passes it
		}
	).insert()
	[address_name] = linked_addresses("Lead", lead.name)
	assert frappe.db.get_value("Address", address_name, "city") == "Mladá Boleslav"


@pytest.mark.parametrize(
	"seat",
	[{**SKODA_SEAT, "city": ""}, {**SKODA_SEAT, "country_code": "XX"}, "not json", {**SKODA_SEAT, "city": 7}],
	ids=["no city", "unknown country", "not an object", "not text"],
)
def test_an_unusable_seat_refuses_the_save(registry, seat):
	with pytest.raises(frappe.ValidationError):
		new_customer(customer_name=factories.unique("Seat"), crm_registry_address=seat).insert()


def test_a_registration_number_of_an_existing_customer_is_refused_naming_it(registry, as_user):
	first = factories.make_customer(customer_name=factories.unique("First"), crm_registration_no="00177041")

	with pytest.raises(frappe.DuplicateEntryError, match=first.customer_name):
		new_customer(customer_name=factories.unique("Second"), crm_registration_no="001 77 041").insert()
	[candidate] = api.lookup("ares", "00177041", "Customer")["candidates"]
	assert candidate["customer"] == {"name": first.name, "title": first.customer_name}
	# filling another customer with that number from the registry is refused the same way
	other = factories.make_customer()
	with pytest.raises(frappe.DuplicateEntryError, match=first.customer_name):
		api.apply("Customer", other.name, "ares", "00177041", ["registration_no"])
	# control: another number saves, and the first customer's own saves are not refused
	new_customer(customer_name=factories.unique("Third"), crm_registration_no="27074358").insert()
	first.reload()
	first.crm_legal_form = "a.s."
	first.save()

	# a user who may not read the first customer learns that it exists, not which it is
	user = factories.make_user(roles=["Sales User"])
	factories.restrict(user.name, "Customer", other.name)
	with as_user(user.name):
		[candidate] = api.lookup("ares", "00177041", "Customer")["candidates"]
		assert candidate["customer"] == {"name": None, "title": None}
		with pytest.raises(frappe.DuplicateEntryError) as refused:
			# the user may not create customers beyond the one allowed: the check is the save's own
			new_customer(customer_name=factories.unique("Fourth"), crm_registration_no="00177041").insert(
				ignore_permissions=True
			)
	assert first.name not in str(refused.value) and first.customer_name not in str(refused.value)


def test_a_lookup_for_a_new_record_needs_create_permission(registry, as_user):
	reader = factories.make_user(roles=["Stock User"])  # reads customers, may not create them
	with as_user(reader.name):
		for call in (lambda: api.lookup("ares", "00177041", "Customer"), lambda: api.providers("Customer")):
			with pytest.raises(frappe.PermissionError):
				call()
	assert registry.seen == []
	with pytest.raises(frappe.ValidationError, match="Only a Customer or a Lead"):
		api.providers("Contact")
	with pytest.raises(frappe.DoesNotExistError):
		api.providers("Bananas")
	with pytest.raises(frappe.ValidationError):
		api.lookup("ares", "00177041", None, "CUST-1")  # a name without its doctype


def test_an_invalid_customer_with_the_number_is_still_named_to_who_may_read_it(registry):
	from crm_lifecycle.services import governance

	first = factories.make_customer(customer_name=factories.unique("Invalid"), crm_registration_no="00177041")
	governance.invalidate("Customer", first.name, "Duplicate")  # hidden from lists, not from its readers
	[candidate] = api.lookup("ares", "00177041", "Customer")["candidates"]
	assert candidate["customer"] == {"name": first.name, "title": first.customer_name}
	with pytest.raises(frappe.DuplicateEntryError, match=first.customer_name):
		new_customer(customer_name=factories.unique("Second"), crm_registration_no="00177041").insert()
