"""Under production conditions: a real `frappe worker` runs the background jobs. Bulk
deactivation and owner transfer go through the queue; a Webhook on Customer receives one call
per change the app makes; restricting a contact right after its portal user was added (Frappe's
own User.on_update enqueues a job that updates the same contact) does not fail."""

import http.server
import json
import threading

import pytest

import frappe

from crm_lifecycle.api import accounts as accounts_api
from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.core import accounts as accounts_rules
from tests.site_fixtures import eventually

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def hooks_server():
	"""A local HTTP server that records what Webhooks post to it."""
	received: list[dict] = []

	class Handler(http.server.BaseHTTPRequestHandler):
		def do_POST(self):
			body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
			try:
				received.append(json.loads(body or b"{}"))
			except ValueError:
				received.append({"raw": body.decode(errors="replace")})
			self.send_response(200)
			self.end_headers()
			self.wfile.write(b"{}")

		def log_message(self, *args):
			pass

	server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	yield f"http://127.0.0.1:{server.server_address[1]}", received
	server.shutdown()


@pytest.fixture
def customer_webhook(hooks_server):
	url, received = hooks_server
	webhook = frappe.get_doc(
		{
			"doctype": "Webhook",
			"name": f"CRM Lifecycle test {frappe.generate_hash(length=6)}",
			"webhook_doctype": "Customer",
			"webhook_docevent": "on_update",
			"request_url": url,
			"request_method": "POST",
			"request_structure": "JSON",
			"webhook_json": '{"name": "{{ doc.name }}", "crm_active": {{ doc.crm_active }}, "crm_invalid": {{ doc.crm_invalid }}}',
			"enabled": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	received.clear()
	yield received
	frappe.db.rollback()
	frappe.delete_doc("Webhook", webhook.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def calls_for(received: list[dict], name: str) -> list[dict]:
	return [call for call in received if call.get("name") == name]


def test_each_change_of_the_app_reaches_a_webhook_and_the_version_history(
	queue_worker, committed, customer_webhook
):
	customer = committed.make_customer().name
	frappe.db.commit()
	steps = [
		(lambda: deactivation_api.deactivate("Customer", customer, reason="Moved"), {"crm_active": 0}),
		(lambda: deactivation_api.reactivate("Customer", customer), {"crm_active": 1}),
		(lambda: governance_api.invalidate("Customer", customer, reason="Duplicate"), {"crm_invalid": 1}),
		(lambda: governance_api.restore("Customer", customer), {"crm_invalid": 0}),
	]
	eventually(lambda: calls_for(customer_webhook, customer), what="the webhook of the creation")
	for act, expected in steps:
		seen = len(calls_for(customer_webhook, customer))
		act()
		frappe.db.commit()
		# one more call for the change, carrying the new state
		call = eventually(
			lambda seen=seen: calls_for(customer_webhook, customer)[seen:], what="the webhook of the change"
		)[0]
		assert all(call[key] == value for key, value in expected.items()), call
	versions = frappe.get_all("Version", {"ref_doctype": "Customer", "docname": customer}, pluck="data")
	changed = [field for data in versions for field, *_values in json.loads(data).get("changed", [])]
	assert changed.count("crm_active") >= 2 and changed.count("crm_invalid") >= 2


def test_bulk_deactivation_runs_on_the_queue(queue_worker, committed):
	names = [committed.make_customer().name for _ in range(3)]
	frappe.db.commit()
	queued = deactivation_api.deactivate_many("Customer", json.dumps(names), reason="Closing the region")
	frappe.db.commit()  # the job is enqueued once the request commits
	assert queued["job_id"] and queued["count"] == 3
	eventually(
		lambda: all(frappe.db.get_value("Customer", name, "crm_active") == 0 for name in names),
		what="the bulk deactivation",
	)


def test_owner_transfer_of_many_runs_on_the_queue(queue_worker, committed):
	owner = committed.make_user(roles=["Sales User"]).name
	count = accounts_rules.BACKGROUND_THRESHOLD + 1
	names = [committed.make_customer().name for _ in range(count)]
	frappe.db.commit()
	queued = accounts_api.transfer(json.dumps(names), owner)
	frappe.db.commit()
	assert queued["queued"] and queued["count"] == count
	eventually(
		lambda: frappe.db.count("Customer", {"name": ("in", names), "account_manager": owner}) == count,
		what="the owner transfer",
	)


def test_restricting_a_contact_right_after_adding_its_portal_user(queue_worker, committed, http):
	customer = committed.make_customer()
	contact = committed.make_contact(customer=customer.name)
	user = committed.make_user(email=contact.email_id, user_type="Website User", roles=["Customer"])
	frappe.db.commit()
	admin = http("Administrator", "admin")
	doc = frappe.get_doc("Customer", customer.name)
	doc.append("portal_users", {"user": user.name})
	doc.save()
	frappe.db.commit()  # Frappe's own jobs for the new portal user now run on the worker
	response = admin.post(
		"/api/method/crm_lifecycle.api.portal.set_access",
		data={"contact": contact.name, "access": json.dumps({"Invoices": {"view": 0}})},
	)
	assert response.status_code == 200, response.text
	assert response.json()["message"]["Invoices"]["view"] == 0
