"""Deactivation through REST, the background job and the bench CLI (issue 3)."""

import json
import subprocess
import sys

import pytest

import frappe

from crm_lifecycle.api import deactivation as api
from crm_lifecycle.services import deactivation, deactivation_bulk
from tests import factories
from tests.site_fixtures import BENCH, SITE

API = "/api/method/crm_lifecycle.api.deactivation"
HOLD_API = "/api/method/crm_lifecycle.api.invoice_hold"


@pytest.mark.http
def test_rest_preview_deactivate_reactivate_and_refusals(http, committed):
	customer = committed.make_customer()
	invoice = committed.make_sales_invoice(customer.name)
	admin = http("Administrator", "admin")

	preview = admin.get(f"{API}.preview", params={"doctype": "Customer", "name": customer.name})
	assert preview.status_code == 200
	assert [row["name"] for row in preview.json()["message"]["invoices"]] == [invoice.name]

	assert (
		admin.get(f"{API}.deactivate", params={"doctype": "Customer", "name": customer.name}).status_code
		== 403
	)
	response = admin.post(
		f"{API}.deactivate",
		data={"doctype": "Customer", "name": customer.name, "hold_invoices": 1, "reason": "Closed down"},
	)
	assert response.status_code == 200, response.text
	assert response.json()["message"]["invoices_held"] == 1

	again = admin.post(f"{API}.deactivate", data={"doctype": "Customer", "name": customer.name})
	assert again.status_code == 417 and "already inactive" in again.text
	assert (
		admin.post(f"{API}.deactivate", data={"doctype": "Customer", "name": "Nobody 404"}).status_code == 404
	)
	# an unknown record is a 404 before anything else; an existing record of another doctype a 417
	assert admin.post(f"{API}.deactivate", data={"doctype": "Item", "name": "x"}).status_code == 404
	item = frappe.db.get_value("Item", {}, "name")
	assert admin.post(f"{API}.deactivate", data={"doctype": "Item", "name": item}).status_code == 417
	assert admin.post(f"{HOLD_API}.release_invoices", data={"invoices": "not json"}).status_code == 417

	assert admin.post(f"{API}.reactivate", data={"doctype": "Customer", "name": customer.name}).ok
	released = admin.post(f"{HOLD_API}.release_invoices", data={"invoices": json.dumps([invoice.name])})
	assert released.json()["message"]["released"] == [invoice.name]


@pytest.mark.http
def test_rest_refuses_portal_users(http, committed):
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name, portal_user=True)
	portal = http(contact.user, committed.PORTAL_PASSWORD)
	response = portal.post(f"{API}.deactivate", data={"doctype": "Customer", "name": customer.name})
	assert response.status_code == 403
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1


def test_bulk_deactivation_is_queued_and_reports_each_record():
	first, second, already = (factories.make_customer() for _ in range(3))
	deactivation.deactivate("Customer", already.name)

	queued = api.deactivate_many("Customer", json.dumps([first.name, second.name, already.name]))
	assert queued["count"] == 3 and queued["job_id"]

	results = deactivation_bulk.deactivate_many("Customer", [first.name, second.name, already.name])
	assert [row["ok"] for row in results] == [True, True, False]
	assert "already inactive" in results[2]["error"]
	assert frappe.db.get_value("Customer", first.name, "crm_active") == 0
	assert frappe.db.get_value("Customer", second.name, "crm_active") == 0


def test_bulk_deactivation_refuses_users_without_write(as_user):
	customer = factories.make_customer()
	reader = factories.make_user(roles=["Accounts Manager"])
	with as_user(reader.name), pytest.raises(frappe.PermissionError):
		api.deactivate_many("Customer", [customer.name])


def bench(*args):
	return subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SITE, "crm-lifecycle", *args],
		cwd=str(BENCH / "sites"),
		capture_output=True,
		text=True,
		timeout=300,
	)


def test_bench_cli_dry_run_deactivate_and_reactivate(committed):
	customer = committed.make_customer()
	invoice = committed.make_sales_invoice(customer.name)

	dry_run = bench("deactivate", customer.name, "--hold-invoices", "--dry-run")
	assert dry_run.returncode == 0, dry_run.stderr
	assert invoice.name in dry_run.stdout
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1

	done = bench("deactivate", customer.name, "--hold-invoices", "--reason", "Moved away")
	assert done.returncode == 0, done.stderr
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 0
	assert factories.lifecycle_events("Customer", customer.name)[0].reason == "Moved away"
	assert frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold") == 1

	again = bench("deactivate", customer.name)
	assert again.returncode != 0 and "already inactive" in again.stderr
	assert bench("reactivate", customer.name).returncode == 0
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer.name, "crm_active") == 1
