"""Locks through the paths that commit on their own (REST PUT, bulk edit, Data Import) and the
lock API's HTTP status codes, against a real `frappe serve`; all data committed and removed."""

import pytest

import frappe
from frappe.core.doctype.data_import.data_import import start_import

from crm_lifecycle.services import locking
from tests import factories

ROLES = ["Sales User", "Sales Manager", "Sales Master Manager"]
ACTORS = ("other", "holder", "manager")
PASSWORD = factories.PORTAL_PASSWORD


@pytest.fixture(scope="module")
def people(frappe_site):
	"""Committed once for the module and deleted afterwards."""
	with factories.committed_users(
		{
			"holder": ROLES,
			"other": ROLES,
			"manager": [*ROLES, "CRM Lock Manager"],
		}
	) as users:
		yield users


@pytest.fixture
def locked_customer(committed, people):
	"""A committed customer locked by the holder; its lock rows and history go afterwards."""
	customer = committed.make_customer().name
	frappe.set_user(people["holder"])
	locking.lock("Customer", customer, reason="Key account")
	frappe.set_user("Administrator")
	frappe.db.commit()
	yield customer
	frappe.db.rollback()
	for doctype in ("Lifecycle Lock", "Lifecycle Lock Log", "Notification Log"):
		field = "document_name" if doctype == "Notification Log" else "reference_name"
		frappe.db.delete(doctype, {field: customer})
	frappe.db.commit()
	locking.forget_cache("Customer")


def details(customer: str) -> str | None:
	frappe.db.rollback()  # a fresh snapshot: the server committed in another connection
	return frappe.db.get_value("Customer", customer, "customer_details")


pytestmark = pytest.mark.http


@pytest.mark.parametrize("actor", ACTORS)
def test_rest_put(http, people, locked_customer, actor):
	client = http(people[actor], PASSWORD)
	response = client.session.put(
		f"{client.base_url}/api/resource/Customer/{locked_customer}", json={"customer_details": "via PUT"}
	)
	if actor == "other":
		assert response.status_code == 403, response.text
		assert "Locked by" in response.text and "Key account" in response.text
		assert details(locked_customer) is None
	else:
		assert response.status_code == 200, response.text
		assert details(locked_customer) == "via PUT"


@pytest.mark.parametrize("actor", ACTORS)
def test_bulk_edit(http, people, locked_customer, actor):
	client = http(people[actor], PASSWORD)
	response = client.post(
		"/api/method/frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs",
		data={
			"doctype": "Customer",
			"docnames": frappe.as_json([locked_customer]),
			"action": "update",
			"data": frappe.as_json({"customer_details": "via bulk edit"}),
		},
	)
	assert response.status_code == 200, response.text
	failed = response.json()["message"]
	if actor == "other":
		assert failed == [locked_customer]
		assert details(locked_customer) is None
	else:
		assert failed == []
		assert details(locked_customer) == "via bulk edit"


@pytest.mark.parametrize("actor", ACTORS)
def test_data_import_update(people, locked_customer, actor):
	"""Frappe's Data Import ("Update Existing Records") runs each row through doc.save()."""
	data_import = frappe.get_doc(
		{"doctype": "Data Import", "reference_doctype": "Customer", "import_type": "Update Existing Records"}
	).insert()
	csv = f"ID,Customer Details\n{locked_customer},via Data Import\n"
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{data_import.name}.csv",
			"content": csv.encode(),
			"attached_to_doctype": "Data Import",
			"attached_to_name": data_import.name,
			"is_private": 1,
		}
	).insert()
	data_import.db_set("import_file", file.file_url)
	frappe.db.commit()
	try:
		frappe.set_user(people[actor])
		start_import(data_import.name)
		frappe.set_user("Administrator")
		logs = frappe.get_all(
			"Data Import Log",
			filters={"data_import": data_import.name},
			fields=["success", "messages", "exception"],
		)
		if actor == "other":
			assert [log.success for log in logs] == [0]
			assert "Locked by" in (logs[0].messages or "") + (logs[0].exception or "")
			assert details(locked_customer) is None
		else:
			assert [log.success for log in logs] == [1]
			assert details(locked_customer) == "via Data Import"
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.db.delete("Data Import Log", {"data_import": data_import.name})
		frappe.delete_doc("File", file.name, force=True, ignore_permissions=True)
		frappe.delete_doc(
			"Data Import", data_import.name, force=True, ignore_permissions=True, delete_permanently=True
		)
		frappe.db.commit()


def test_lock_api_status_codes(http, people, locked_customer):
	other = http(people["other"], PASSWORD)
	holder = http(people["holder"], PASSWORD)
	api = "/api/method/crm_lifecycle.api.locking."

	status = other.get(api + "status", params={"doctype": "Customer", "name": locked_customer})
	assert status.status_code == 200 and status.json()["message"]["locked_by"] == people["holder"]

	taken = other.post(api + "lock", data={"doctype": "Customer", "name": locked_customer})
	assert taken.status_code == 409 and "Locked by" in taken.text
	assert (
		other.post(api + "unlock", data={"doctype": "Customer", "name": locked_customer}).status_code == 403
	)
	assert other.get(api + "lock", params={"doctype": "Customer", "name": locked_customer}).status_code in (
		403,
		405,
	)

	missing = other.post(api + "lock", data={"doctype": "Customer", "name": "No Such Customer 0x2"})
	assert missing.status_code == 404
	past = holder.post(
		api + "lock", data={"doctype": "Customer", "name": locked_customer, "expires_on": "2001-01-01"}
	)
	assert past.status_code == 417
	not_lockable = holder.post(api + "lock", data={"doctype": "Item", "name": factories.TEST_ITEM})
	assert not_lockable.status_code in (403, 417)  # Sales roles may not write Items; either way refused

	released = holder.post(api + "unlock", data={"doctype": "Customer", "name": locked_customer})
	assert released.status_code == 200 and released.json()["message"]["locked"] is False
	# the control: now the colleague may lock it
	assert other.post(api + "lock", data={"doctype": "Customer", "name": locked_customer}).status_code == 200
