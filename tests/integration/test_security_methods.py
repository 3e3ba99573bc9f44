"""Every whitelisted method of the app, found by introspection (not a hand-written list), called
over real HTTP as a guest, as the portal user of another customer and as a desk user without
rights to the victim's records, with generated values (hypothesis): never a 5xx, a guest gets
nothing from a method not meant for guests, and no answer names a record the caller may not read
unless the caller sent that name in.
"""

import importlib
import inspect
import json
import pkgutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import frappe

import crm_lifecycle

pytestmark = pytest.mark.http

MALFORMED = (
	"",
	"[]",
	"{}",
	"{",
	"null",
	"0",
	"1",
	"yes",
	"99999999999999999999",
	'{"Invoices": {"view": "yes"}}',
	'{"Invoices": {"email": "x"}}',
	'["x", 1]',
	"<img src=x onerror=alert(1)>",
	"x" * 300,
)
DOCTYPES = (
	"Customer",
	"Contact",
	"Lead",
	"Sales Invoice",
	"Quotation",
	"Sales Order",
	"Opportunity",
	"Bananas",
)


def app_methods() -> dict[str, object]:
	"""dotted path -> function of every whitelisted function in the app's modules."""
	for module in pkgutil.walk_packages(crm_lifecycle.__path__, "crm_lifecycle."):
		if ".patches." in module.name or module.name.endswith(".hooks"):
			continue
		importlib.import_module(module.name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if getattr(fn, "__module__", "").startswith("crm_lifecycle.")
	}


@pytest.fixture(scope="module")
def victim(frappe_site):
	"""Another customer's records, committed for the HTTP server, deleted afterwards."""
	from tests import factories

	created: list[tuple[str, str]] = []
	with factories.track(created):
		customer = factories.make_customer()
		contact = factories.make_contact(customer=customer.name)
		invoice = factories.make_sales_invoice(customer.name)
		quotation = factories.make_quotation(customer=customer.name)
		order = factories.make_sales_order(customer.name)
		lead = factories.make_lead()
		records = {
			("Customer", customer.name): [customer.name],
			("Contact", contact.name): [contact.name, contact.email_id],
			("Sales Invoice", invoice.name): [invoice.name],
			("Quotation", quotation.name): [quotation.name],
			("Sales Order", order.name): [order.name],
			("Lead", lead.name): [lead.name, lead.email_id],
		}
	yield records
	frappe.db.rollback()
	frappe.set_user("Administrator")
	factories.delete_all(created)
	frappe.db.commit()


@pytest.fixture(scope="module")
def callers(frappe_site, victim):
	"""kind -> (user, password or None); the desk user is a Sales User limited by a User
	Permission to a customer of its own."""
	from tests import factories

	created: list[tuple[str, str]] = []
	with factories.track(created):
		own = factories.make_customer()
		portal = factories.make_contact(customer=own.name, portal_user=True)
		desk = factories.make_user(roles=["Sales User"])
		permission = frappe.get_doc(
			{"doctype": "User Permission", "user": desk.name, "allow": "Customer", "for_value": own.name}
		).insert(ignore_permissions=True)
		factories._record(permission)
	yield {
		"guest": (None, None),
		"portal": (portal.user, factories.PORTAL_PASSWORD),
		"desk": (desk.name, factories.PORTAL_PASSWORD),
	}
	frappe.db.rollback()
	frappe.set_user("Administrator")
	factories.delete_all(created)
	frappe.db.commit()


def secrets_for(user: str | None, victim: dict) -> set[str]:
	"""The victim's names and addresses that `user` may not read."""
	hidden = set()
	for (doctype, name), strings in victim.items():
		if user is None or not frappe.has_permission(doctype, "read", name, user=user):
			hidden.update(strings)
	return hidden


def argument_strategy(parameter: str, victim: dict):
	names = sorted({name for (_doctype, name) in victim})
	values = [*names, json.dumps(names[:2]), *MALFORMED]
	if parameter == "doctype":
		return st.sampled_from((*DOCTYPES, *MALFORMED))
	return st.one_of(st.sampled_from(values), st.text(max_size=20))


def test_every_method_refuses_outsiders_and_malformed_input(http, victim, callers, capsys):
	methods = app_methods()
	assert len(methods) >= 30, sorted(methods)
	checked, failures = 0, []
	for kind, (user, password) in callers.items():
		client = http(user, password) if user else http()
		secrets = secrets_for(user, victim)
		assert secrets, kind  # the control: there is something this caller must not see
		for path, fn in sorted(methods.items()):
			parameters = [
				p.name
				for p in inspect.signature(inspect.unwrap(fn)).parameters.values()
				if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
			]
			allowed = frappe.allowed_http_methods_for_whitelisted_func.get(fn) or ["GET", "POST"]
			verb = "POST" if "POST" in allowed else "GET"
			for_guests = fn in frappe.guest_methods

			@settings(
				max_examples=6,
				deadline=None,
				derandomize=True,
				database=None,
				suppress_health_check=list(HealthCheck),
			)
			@given(st.fixed_dictionaries({p: argument_strategy(p, victim) for p in parameters}))
			def call(arguments):
				nonlocal checked
				checked += 1
				send = client.post if verb == "POST" else client.get
				key = "data" if verb == "POST" else "params"
				response = send(f"/api/method/{path}", **{key: arguments})
				sent = " ".join(str(value) for value in arguments.values())
				problem = None
				if response.status_code >= 500:
					problem = f"{response.status_code}"
				elif user is None and not for_guests and response.status_code < 400:
					problem = f"guest got {response.status_code}"
				else:
					leaked = [s for s in secrets if s and s in response.text and s not in sent]
					if leaked:
						problem = f"named {leaked}"
				if problem:
					failures.append((kind, path, arguments, problem, response.text[:300]))

			call()
	with capsys.disabled():
		print(
			f"\nsecurity: {len(methods)} methods x {len(callers)} callers, {checked} calls, {len(failures)} failures"
		)
	assert failures == [], "\n".join(
		f"{kind} {path} {arguments!r}: {problem} | {body}"
		for kind, path, arguments, problem, body in failures
	)
