"""Under production conditions: a real `frappe worker` runs the background jobs.

Bulk deactivation and owner transfer go through the queue. Every change the app makes, single or
bulk, reaches Webhooks (one call per changed record), Notifications ("Value Change" sees the old
value) and the version history. Restricting a contact right after its portal user was added
(Frappe's own User.on_update enqueues a job that updates the same contact) does not fail."""

import http.server
import json
import threading
import time

import pytest

import frappe

from crm_lifecycle.api import accounts as accounts_api
from crm_lifecycle.api import conversion as conversion_api
from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.api import invoice_hold as invoice_hold_api
from crm_lifecycle.api import locking as locking_api
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
def webhook(hooks_server):
	"""Webhooks posting the named fields of a record to the local server; the calls each one
	received so far come back as a list."""
	url, received = hooks_server
	made = []

	def make(doctype: str, event: str, fields: tuple[str, ...]) -> list[dict]:
		key = frappe.generate_hash(length=8)
		values = ", ".join(f'"{field}": {{{{ doc.{field} | tojson }}}}' for field in ("name", *fields))
		doc = frappe.get_doc(
			{
				"doctype": "Webhook",
				"name": f"CRM Lifecycle test {key}",
				"webhook_doctype": doctype,
				"webhook_docevent": event,
				"request_url": url,
				"request_method": "POST",
				"request_structure": "JSON",
				"webhook_json": f'{{"hook": "{key}", {values}}}',
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		made.append(doc.name)
		return _Calls(received, key)

	yield make
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Webhook", name, force=True, ignore_permissions=True)
	frappe.db.commit()
	# Frappe caches the webhooks of every doctype and forgets the cache when one is saved, not
	# when one is deleted: a worker would go on calling (and failing to log) the deleted ones
	frappe.cache.delete_value("webhooks")


class _Calls:
	"""The calls one webhook received, as a live view of the server's list."""

	def __init__(self, received: list[dict], key: str):
		self.received, self.key = received, key

	def __iter__(self):
		return iter([call for call in list(self.received) if call.get("hook") == self.key])

	def __len__(self):
		return len(list(iter(self)))


@pytest.fixture
def customer_webhook(webhook):
	return webhook("Customer", "on_update", ("crm_active", "crm_invalid", "account_manager"))


def calls_for(received, name: str) -> list[dict]:
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


@pytest.fixture
def value_change_notification():
	"""A committed "Value Change" System Notification to the record's account manager (Frappe's
	documented way to tell sales), deleted again afterwards."""
	made = []

	def make(doctype: str, field: str, recipient_field: str) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Notification",
				"name": f"CRM Lifecycle test {frappe.generate_hash(length=8)}",
				"document_type": doctype,
				"event": "Value Change",
				"value_changed": field,
				"channel": "System Notification",
				"subject": f"{field} of {{{{ doc.name }}}} is now {{{{ doc.{field} }}}}",
				"message": "-",
				"recipients": [{"receiver_by_document_field": recipient_field}],
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		made.append(doc.name)
		return doc.name

	yield make
	frappe.db.rollback()
	for name in made:
		frappe.delete_doc("Notification", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def notified(user: str, doctype: str, names: list[str]) -> list[str]:
	return frappe.get_all(
		"Notification Log",
		filters={"for_user": user, "document_type": doctype, "document_name": ("in", names)},
		pluck="subject",
	)


def versions_changing(doctype: str, name: str, field: str) -> int:
	data = frappe.get_all("Version", {"ref_doctype": doctype, "docname": name}, pluck="data")
	return sum(
		1 for each in data for changed, *_values in json.loads(each).get("changed", []) if changed == field
	)


def exactly(calls, count: int, what: str) -> list[dict]:
	"""Wait for `count` calls, then make sure no more come (one call per record, not two). The
	worker forks for every job (a webhook call is one): a hundred of them take a while."""
	eventually(lambda: len(calls) >= count, what=what, timeout=300)
	time.sleep(3)  # a duplicate would be queued right behind the first calls
	assert len(calls) == count, list(calls)
	return list(calls)


def test_owner_transfer_of_many_runs_on_the_queue_and_is_heard(
	queue_worker, committed, webhook, value_change_notification
):
	owner = committed.make_user(roles=["Sales User"]).name
	count = accounts_rules.BACKGROUND_THRESHOLD + 1
	names = [committed.make_customer().name for _ in range(count)]
	customer_webhook = webhook("Customer", "on_update", ("account_manager",))
	value_change_notification("Customer", "account_manager", "account_manager")
	frappe.db.commit()
	queued = accounts_api.transfer(json.dumps(names), owner)
	frappe.db.commit()
	assert queued["queued"] and queued["count"] == count
	eventually(
		lambda: frappe.db.count("Customer", {"name": ("in", names), "account_manager": owner}) == count,
		what="the owner transfer",
	)
	# a Version per customer, a webhook call per customer carrying the new owner, and the
	# "Value Change" notification to the new owner for each (it saw the old value)
	assert all(versions_changing("Customer", name, "account_manager") == 1 for name in names)
	calls = exactly(customer_webhook, count, "the webhooks of the transfer")
	assert sorted(call["name"] for call in calls) == sorted(names)
	assert {call["account_manager"] for call in calls} == {owner}
	subjects = eventually(
		lambda: len(notified(owner, "Customer", names)) >= count and notified(owner, "Customer", names),
		what="the notifications",
		timeout=300,
	)
	assert len(subjects) == count and all(owner in subject for subject in subjects), subjects


def test_bulk_hold_and_release_leave_versions_and_reach_webhooks(queue_worker, committed, webhook):
	customer = committed.make_customer().name
	invoices = [committed.make_sales_invoice(customer).name for _ in range(3)]
	calls = webhook("Sales Invoice", "on_change", ("crm_reminders_on_hold", "crm_hold_reason"))

	def versions() -> list[int]:
		# counted from here: an invoice's name may have been given out before (and its Versions kept)
		return [versions_changing("Sales Invoice", name, "crm_reminders_on_hold") for name in invoices]

	before = versions()
	invoice_hold_api.hold_invoices(json.dumps(invoices), reason="Disputed <img src=x onerror=alert(1)>")
	frappe.db.commit()
	assert versions() == [count + 1 for count in before]
	held = exactly(calls, 3, "the webhooks of the hold")
	assert sorted(call["name"] for call in held) == sorted(invoices)
	assert all(call["crm_reminders_on_hold"] == 1 for call in held)
	assert all("onerror" not in call["crm_hold_reason"] for call in held)  # stored sanitised

	invoice_hold_api.release_invoices(json.dumps(invoices))
	frappe.db.commit()
	assert versions() == [count + 2 for count in before]
	released = exactly(calls, 6, "the webhooks of the release")[3:]
	assert sorted(call["name"] for call in released) == sorted(invoices)
	assert all(call["crm_reminders_on_hold"] == 0 for call in released)


def test_deactivation_tells_sales_through_a_value_change_notification(
	queue_worker, committed, value_change_notification
):
	manager = committed.make_user(roles=["Sales User"]).name
	customer = committed.make_customer(account_manager=manager).name
	other = committed.make_customer(account_manager=manager).name
	value_change_notification("Customer", "crm_active", "account_manager")
	deactivation_api.deactivate("Customer", customer, reason="Moved away")
	frappe.db.commit()
	subjects = eventually(lambda: notified(manager, "Customer", [customer]), what="the notification")
	assert subjects == [f"crm_active of {customer} is now 0"]
	# control: a save that leaves crm_active alone notifies nobody
	frappe.get_doc("Customer", other).save()
	frappe.db.commit()
	time.sleep(3)
	assert notified(manager, "Customer", [other]) == []


def test_lock_and_unlock_reach_the_records_webhooks(queue_worker, committed, customer_webhook):
	customer = committed.make_customer().name
	eventually(lambda: calls_for(customer_webhook, customer), what="the webhook of the creation")
	locking_api.lock("Customer", customer, reason="Audit")
	frappe.db.commit()
	eventually(lambda: len(calls_for(customer_webhook, customer)) >= 2, what="the webhook of the lock")
	locking_api.unlock("Customer", customer)
	frappe.db.commit()
	eventually(lambda: len(calls_for(customer_webhook, customer)) >= 3, what="the webhook of the unlock")
	time.sleep(3)
	assert len(calls_for(customer_webhook, customer)) == 3


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


def test_a_job_saving_the_customer_during_a_deactivation_is_no_reason_to_fail(queue_worker, committed):
	customer = committed.make_customer().name
	frappe.db.commit()
	opened = frappe.get_doc("Customer", customer)  # this transaction now sees the customer as it was
	job = frappe.enqueue(
		"frappe.client.set_value",
		doctype="Customer",
		name=customer,
		fieldname="website",
		value="https://changed-by-a-job.example",
	)
	deadline = time.monotonic() + 60
	while job.get_status(refresh=True) != "finished":
		assert job.get_status() != "failed" and time.monotonic() < deadline, job.get_status()
		time.sleep(0.3)
	# control: what this transaction read is out of date, a plain save of it is refused
	with pytest.raises(frappe.TimestampMismatchError):
		opened.save()
	frappe.clear_last_message()

	deactivation_api.deactivate("Customer", customer, reason="Moved away")
	frappe.db.commit()
	after = frappe.db.get_value("Customer", customer, ["crm_active", "website"], as_dict=True)
	assert after == {"crm_active": 0, "website": "https://changed-by-a-job.example"}


def test_a_conversion_leaves_the_sources_new_status_in_its_history_and_webhooks(
	queue_worker, committed, webhook
):
	lead = committed.make_lead().name
	calls = webhook("Lead", "on_update", ("status",))
	before = versions_changing("Lead", lead, "status")  # a lead's name may have been given out before
	result = conversion_api.convert("Lead", lead, json.dumps(["Customer"]))
	frappe.db.commit()
	for record in result["records"]:
		if record["action"] == "created":
			committed._record(frappe.get_doc(record["doctype"], record["name"]))
	frappe.db.commit()
	assert frappe.db.get_value("Lead", lead, "status") == "Converted"
	assert versions_changing("Lead", lead, "status") == before + 1  # ERPNext's own write leaves none
	assert [call["status"] for call in exactly(calls, 1, "the webhook of the lead")] == ["Converted"]
