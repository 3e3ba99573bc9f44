"""Every action in the bench CLI (issue 19): the real `bench --site SITE crm-lifecycle ...` in a
subprocess, once with success and once refused (exit status 1, the translated message, nothing
changed). The CLI calls the REST methods as `--user`: the refusals are the API's own.

The CLI is another process: what it needs is committed first (`committed`, deleted afterwards),
and what it did is read after a rollback (a fresh snapshot).
"""

import json
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

import pytest

import frappe
from frappe.utils import add_days, nowdate

from crm_lifecycle.services import registry as registry_service
from tests import factories
from tests.integration.test_registry import Registry
from tests.site_fixtures import BENCH, SITE

ROLES = ["Sales User", "Sales Manager", "Sales Master Manager", "Accounts User", "Accounts Manager"]


@pytest.fixture(scope="module")
def people(frappe_site):
	"""Committed once for the module: a colleague with sales and accounts rights, and a desk user
	without any role (refused by every permission check)."""
	with factories.committed_users({"colleague": ROLES, "nobody": []}) as users:
		yield users


def cli(*args: str) -> subprocess.CompletedProcess:
	result = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SITE, "crm-lifecycle", *args],
		cwd=str(BENCH / "sites"),
		capture_output=True,
		text=True,
		timeout=300,
	)
	frappe.db.rollback()  # see what the other process committed
	return result


def ok(*args: str):
	result = cli(*args)
	assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
	return json.loads(result.stdout)


def refused(*args: str, message: str) -> str:
	result = cli(*args)
	assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
	assert message in result.stderr, result.stderr
	assert "Traceback" not in result.stderr
	assert not result.stdout.strip()  # no answer printed for a refusal
	return result.stderr


def test_an_unknown_or_disabled_user_is_refused(committed):
	customer = committed.make_customer()
	refused("invalidate", "Customer", customer.name, "--user", "ghost@crm-lifecycle.invalid", message="ghost")
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 0


def test_deactivate_and_reactivate_check_the_users_permission(committed, people):
	customer = committed.make_customer()
	refused("deactivate", customer.name, "--user", people["nobody"], message="No permission for Customer")
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1

	ok("deactivate", customer.name, "--user", people["colleague"], "--reason", "Gone")
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 0
	assert [row.user for row in factories.lifecycle_events("Customer", customer.name)] == [
		people["colleague"]
	]
	refused("reactivate", customer.name, "--user", people["nobody"], message="No permission for Customer")
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 0
	ok("reactivate", customer.name, "--user", people["colleague"])
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1


def test_hold_and_release_invoices(committed, people):
	customer = committed.make_customer()
	invoice = committed.make_sales_invoice(customer.name)

	refused("hold", invoice.name, "--user", people["nobody"], message="No permission for Sales Invoice")
	assert frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 0
	answer = ok("hold", invoice.name, "--reason", "Disputed", "--user", people["colleague"])
	assert answer["held"] and frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 1

	refused("release", invoice.name, "--user", people["nobody"], message="No permission for Sales Invoice")
	assert frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 1
	ok("release", "--customer", customer.name)
	assert frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 0
	refused("release", "--customer", customer.name, message="has no invoices on hold")


def test_lock_and_unlock(committed, people):
	customer = committed.make_customer()
	answer = ok("lock", "Customer", customer.name, "--reason", "Audit")
	assert frappe.db.exists(
		"Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": customer.name}
	)
	assert answer

	# held by Administrator: neither a second lock nor an unlock by a colleague
	refused("lock", "Customer", customer.name, "--user", people["colleague"], message="Administrator")
	refused("unlock", "Customer", customer.name, "--user", people["colleague"], message="Administrator")
	assert frappe.db.exists(
		"Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": customer.name}
	)

	ok("unlock", "Customer", customer.name)
	assert not frappe.db.exists(
		"Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": customer.name}
	)
	ok("lock", "Customer", customer.name, "--user", people["colleague"])  # free again
	ok("unlock", "Customer", customer.name, "--user", people["colleague"])


def test_invalidate_and_restore(committed, people):
	customer = committed.make_customer()
	refused("invalidate", "Customer", customer.name, "--user", people["nobody"], message="No permission")
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 0
	refused("restore", "Customer", customer.name, message="nothing to restore")
	ok("invalidate", "Customer", customer.name, "--reason", "Duplicate", "--user", people["colleague"])
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 1

	refused("restore", "Customer", customer.name, "--user", people["nobody"], message="No permission")
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 1
	ok("restore", "Customer", customer.name, "--user", people["colleague"])
	assert frappe.db.get_value("Customer", customer.name, "crm_invalid") == 0


def test_merge_with_dry_run(committed, people):
	source, target = committed.make_customer(), committed.make_customer()
	invoice = committed.make_sales_invoice(source.name)

	preview = ok("merge", "Customer", source.name, target.name, "--dry-run")
	assert preview and frappe.db.exists("Customer", source.name)
	# merging deletes the source: a colleague without delete permission is refused
	refused(
		"merge", "Customer", source.name, target.name, "--user", people["nobody"], message="No permission"
	)
	assert frappe.db.exists("Customer", source.name)

	ok("merge", "Customer", source.name, target.name)
	assert not frappe.db.exists("Customer", source.name)
	assert frappe.db.get_value("Sales Invoice", invoice.name, "customer") == target.name


def test_transfer(committed, people):
	customer = committed.make_customer()
	refused(
		"transfer",
		customer.name,
		"--to",
		people["colleague"],
		"--user",
		people["nobody"],
		message="No permission for Customer",
	)
	assert not frappe.db.get_value("Customer", customer.name, "account_manager")

	answer = ok("transfer", customer.name, "--to", people["colleague"])
	assert answer
	assert frappe.db.get_value("Customer", customer.name, "account_manager") == people["colleague"]


def test_convert_lists_the_options_then_converts(committed, people):
	lead = committed.make_lead(with_contact=False)
	options = ok("convert", "Lead", lead.name)
	assert ["Opportunity"] in [option["targets"] for option in options]

	refused("convert", "Lead", lead.name, "Opportunity", "--user", people["nobody"], message="No permission")
	assert not frappe.db.exists("Opportunity", {"party_name": lead.name})

	answer = ok("convert", "Lead", lead.name, "Opportunity")
	made = [(row["doctype"], row["name"]) for row in answer["records"] if row.get("action") != "linked"]
	try:
		assert [doctype for doctype, _name in made] == ["Opportunity"]
		assert frappe.db.get_value("Opportunity", made[0][1], "party_name") == lead.name
	finally:
		factories.delete_all(made)
		frappe.db.commit()


@pytest.fixture
def registry_settings():
	"""ARES at a local server serving the recorded answers, committed for the CLI's process and
	restored afterwards."""
	server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
	server.daemon_threads = True
	server.seen = []
	threading.Thread(target=server.serve_forever, daemon=True).start()
	fields = ("ares_enabled", "ares_base_url", "registry_timeout")
	before = {field: frappe.db.get_single_value(registry_service.SETTINGS, field) for field in fields}
	url = f"http://127.0.0.1:{server.server_address[1]}/ares"
	frappe.db.set_single_value(
		registry_service.SETTINGS, {"ares_enabled": 1, "ares_base_url": url, "registry_timeout": 5}
	)
	frappe.db.commit()
	yield server
	frappe.db.rollback()
	frappe.db.set_single_value(registry_service.SETTINGS, before)
	frappe.db.commit()
	server.shutdown()
	server.server_close()


def test_registry_fill_with_dry_run(committed, people, registry_settings):
	customer = committed.make_customer(customer_name="Placeholder s.r.o.")

	preview = ok("registry-fill", "Customer", customer.name, "ares", "00177041", "--dry-run")
	assert preview["candidates"] and preview["candidates"][0]["changes"]
	assert frappe.db.get_value("Customer", customer.name, "customer_name") == "Placeholder s.r.o."

	refused(
		"registry-fill",
		"Customer",
		customer.name,
		"ares",
		"00177041",
		"--field",
		"name",
		"--user",
		people["nobody"],
		message="No permission",
	)
	assert frappe.db.get_value("Customer", customer.name, "customer_name") == "Placeholder s.r.o."

	answer = ok("registry-fill", "Customer", customer.name, "ares", "00177041", "--field", "name")
	assert answer["changed"]
	assert frappe.db.get_value("Customer", customer.name, "customer_name") != "Placeholder s.r.o."


def test_portal_access_get_and_set(committed, people):
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name)

	access = ok("portal-access", "get", contact.name)
	assert access["Invoices"]["view"] == 1  # installed as "everything allowed"
	refused("portal-access", "get", contact.name, "--user", people["nobody"], message="No permission")

	refused("portal-access", "set", contact.name, "not json", message="must be JSON")
	ok("portal-access", "set", contact.name, json.dumps({"Invoices": {"view": 0, "email": 1}}))
	after = ok("portal-access", "get", contact.name)
	assert {key: after["Invoices"][key] for key in ("view", "email", "source")} == {
		"view": 0,
		"email": 1,
		"source": "contact",
	}
	assert (after["Invoices"]["view_source"], after["Invoices"]["email_source"]) == ("contact", "contact")
	assert {section: row for section, row in after.items() if section != "Invoices"} == {
		section: row for section, row in access.items() if section != "Invoices"
	}


def test_reminders_due(committed, people):
	template = committed.make_email_template()
	customer = committed.make_customer()
	invoice = committed.make_sales_invoice(
		customer.name, posting_date=add_days(nowdate(), -40), due_date=add_days(nowdate(), -10)
	)
	settings = frappe.get_single("CRM Lifecycle Settings")
	before = (settings.enable_payment_reminders, [row.as_dict() for row in settings.reminder_rules])
	settings.enable_payment_reminders = 1
	settings.append("reminder_rules", {"days_after_due": 7, "email_template": template.name})
	settings.save()
	frappe.db.commit()
	try:
		answer, pages = ok("reminders-due", "--limit", "500"), 1
		while invoice.name not in [row["sales_invoice"] for row in answer["reminders"]]:
			assert answer["next"] and pages < 20, answer  # the last page, and it is not there
			answer, pages = ok("reminders-due", "--limit", "500", "--after", answer["next"]), pages + 1
		assert len(ok("reminders-due", "--limit", "1")["reminders"]) == 1
		refused("reminders-due", "--limit", "0", message="must be a whole number from 1 to 500")
		refused("reminders-due", "--user", people["nobody"], message="No permission for Sales Invoice")
		refused("reminders-due", "--date", "not a date", message="must be a date")
	finally:
		settings = frappe.get_single("CRM Lifecycle Settings")
		settings.enable_payment_reminders = before[0]
		settings.set(
			"reminder_rules",
			[{key: row[key] for key in ("enabled", "days_after_due", "email_template")} for row in before[1]],
		)
		settings.save()
		frappe.db.commit()
