"""User locks against the real site: every write path refused for a non-holder and allowed for
the holder and a lock manager; the lock API; expiry; the cache; the concurrent-lock race."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

import frappe
import frappe.client
import frappe.desk.form.assign_to
from frappe.model.workflow import apply_workflow

from erpnext.selling.doctype.sales_order.sales_order import update_status

from crm_lifecycle.services import locking
from tests import factories

ROLES = [
	"Sales User",
	"Sales Manager",
	"Sales Master Manager",
	"Projects User",
	"Projects Manager",
	"Accounts User",
]
ACTORS = ("other", "holder", "manager")


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


def lock_as(as_user, user: str, doctype: str, name: str, **kwargs) -> dict:
	with as_user(user):
		return locking.lock(doctype, name, **kwargs)


# The write-path matrix ---------------------------------------------------------------------------


@dataclass
class WritePath:
	name: str
	doctype: str
	setup: Callable[[], str]  # makes the record (as Administrator), returns its name
	act: Callable[[str], None]  # the write, run as the actor
	done: Callable[[str], bool]  # whether the write took effect


def _customer() -> str:
	return factories.make_customer().name


def _contact() -> str:
	return factories.make_contact(phone_nos=[{"phone": "+1 555 0100"}]).name


def _lead() -> str:
	return frappe.get_doc({"doctype": "Lead", "first_name": factories.unique("Lead")}).insert().name


def _sales_order(submit: bool) -> Callable[[], str]:
	return lambda: factories.make_sales_order(_customer(), submit=submit).name


def _cancelled_sales_order() -> str:
	order = factories.make_sales_order(_customer())
	order.cancel()
	return order.name


def _customer_details(name: str) -> str | None:
	return frappe.db.get_value("Customer", name, "customer_details")


def _save_customer(name: str) -> None:
	doc = frappe.get_doc("Customer", name)
	doc.customer_details = "changed"
	doc.save()


def _client_save(name: str) -> None:
	doc = frappe.get_doc("Customer", name).as_dict()
	doc["customer_details"] = "changed"
	frappe.client.save(doc)


def _add_phone(name: str) -> None:
	doc = frappe.get_doc("Contact", name)
	doc.append("phone_nos", {"phone": "+1 555 0199"})
	doc.save()


def _row_set_value(name: str) -> None:
	row = frappe.get_doc("Contact", name).phone_nos[0]
	frappe.client.set_value("Contact Phone", row.name, "phone", "+1 555 0177")


def _row_db_set(name: str) -> None:
	frappe.get_doc("Contact", name).phone_nos[0].db_set("phone", "+1 555 0166")


def _phones(name: str) -> list[str]:
	return frappe.get_all("Contact Phone", filters={"parent": name}, pluck="phone")


def _amend(name: str) -> None:
	amended = frappe.copy_doc(frappe.get_doc("Sales Order", name))
	amended.amended_from = name
	amended.insert()


def _update_after_submit(name: str) -> None:
	doc = frappe.get_doc("Sales Order", name)
	doc.po_no = "PO-CHANGED"
	doc.save()


def _rename(name: str) -> None:
	frappe.rename_doc("Customer", name, name + " R", show_alert=False, rebuild_search=False)


def _workflow_project() -> str:
	return frappe.get_doc({"doctype": "Project", "project_name": factories.unique("Project")}).insert().name


PATHS = [
	WritePath(
		"form save", "Customer", _customer, _save_customer, lambda n: _customer_details(n) == "changed"
	),
	WritePath(
		"frappe.client.set_value",
		"Customer",
		_customer,
		lambda n: frappe.client.set_value("Customer", n, "customer_details", "changed"),
		lambda n: _customer_details(n) == "changed",
	),
	WritePath(
		"frappe.client.save", "Customer", _customer, _client_save, lambda n: _customer_details(n) == "changed"
	),
	WritePath(
		"doc.db_set",
		"Customer",
		_customer,
		lambda n: frappe.get_doc("Customer", n).db_set("customer_details", "changed"),
		lambda n: _customer_details(n) == "changed",
	),
	WritePath("child row added", "Contact", _contact, _add_phone, lambda n: "+1 555 0199" in _phones(n)),
	WritePath(
		"child row set_value", "Contact", _contact, _row_set_value, lambda n: "+1 555 0177" in _phones(n)
	),
	WritePath("child row db_set", "Contact", _contact, _row_db_set, lambda n: "+1 555 0166" in _phones(n)),
	WritePath(
		"rename", "Customer", _customer, _rename, lambda n: bool(frappe.db.exists("Customer", n + " R"))
	),
	WritePath(
		"delete",
		"Lead",
		_lead,
		lambda n: frappe.delete_doc("Lead", n),
		lambda n: not frappe.db.exists("Lead", n),
	),
	WritePath(
		"submit",
		"Sales Order",
		_sales_order(submit=False),
		lambda n: frappe.get_doc("Sales Order", n).submit(),
		lambda n: frappe.db.get_value("Sales Order", n, "docstatus") == 1,
	),
	WritePath(
		"cancel",
		"Sales Order",
		_sales_order(submit=True),
		lambda n: frappe.get_doc("Sales Order", n).cancel(),
		lambda n: frappe.db.get_value("Sales Order", n, "docstatus") == 2,
	),
	WritePath(
		"amend",
		"Sales Order",
		_cancelled_sales_order,
		_amend,
		lambda n: bool(frappe.db.exists("Sales Order", {"amended_from": n})),
	),
	WritePath(
		"update after submit",
		"Sales Order",
		_sales_order(submit=True),
		_update_after_submit,
		lambda n: frappe.db.get_value("Sales Order", n, "po_no") == "PO-CHANGED",
	),
	WritePath(
		"ERPNext status action (db_set)",
		"Sales Order",
		_sales_order(submit=True),
		lambda n: update_status("Closed", n),
		lambda n: frappe.db.get_value("Sales Order", n, "status") == "Closed",
	),
	WritePath(
		"workflow action",
		"Project",
		_workflow_project,
		lambda n: apply_workflow(frappe.get_doc("Project", n), "Complete"),
		lambda n: frappe.db.get_value("Project", n, "status") == "Completed",
	),
]
# Paths that commit in the server (REST PUT, bulk edit, Data Import) are in test_locking_http.py.
HTTP_PATHS = ["REST PUT", "bulk edit", "Data Import update"]


def test_write_path_matrix_size(capsys):
	cases = (len(PATHS) + len(HTTP_PATHS)) * len(ACTORS)
	with capsys.disabled():
		print(
			f"\nwrite-path matrix: {len(PATHS)} in-process + {len(HTTP_PATHS)} committed/HTTP paths "
			f"x {len(ACTORS)} actors (other refused, holder and lock manager allowed) = {cases} cases"
		)
	assert cases >= 50


@pytest.fixture
def project_workflow():
	"""A workflow on Project driven by its status (an existing field, so no DDL)."""
	for state in ("Open", "Completed"):
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": state}).insert()
	if not frappe.db.exists("Workflow Action Master", "Complete"):
		frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": "Complete"}).insert()
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": factories.unique("CRM LC Project Flow"),
			"document_type": "Project",
			"workflow_state_field": "status",
			"is_active": 1,
			"send_email_alert": 0,
			"states": [
				{"state": "Open", "doc_status": "0", "allow_edit": "Projects User"},
				{"state": "Completed", "doc_status": "0", "allow_edit": "Projects User"},
			],
			"transitions": [
				{"state": "Open", "action": "Complete", "next_state": "Completed", "allowed": "Projects User"}
			],
		}
	).insert()
	yield
	frappe.db.rollback()
	# the workflow name was cached in Redis for other processes too: forget it with the rollback
	frappe.cache.hdel("workflow", "Project")
	frappe.clear_cache(doctype="Project")


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.name)
def test_write_path_refused_for_others_allowed_for_holder_and_manager(request, people, as_user, path, actor):
	if path.name == "workflow action":
		request.getfixturevalue("project_workflow")
	name = path.setup()
	lock_as(as_user, people["holder"], path.doctype, name, reason="Contract talks")
	with as_user(people[actor]):
		if actor == "other":
			frappe.db.savepoint("write_path")
			with pytest.raises(frappe.PermissionError, match="Locked by .* \\(Contract talks\\)"):
				path.act(name)
			frappe.db.rollback(save_point="write_path")  # as the failed request would
		else:
			path.act(name)
	assert path.done(name) == (actor != "other"), f"{path.name} as {actor}"


def test_comments_stay_allowed_on_a_locked_record(people, as_user):
	customer = _customer()
	lock_as(as_user, people["holder"], "Customer", customer)
	with as_user(people["other"]):
		comment = frappe.get_doc("Customer", customer).add_comment("Comment", "Please call them back")
		frappe.desk.form.assign_to.add(
			{"doctype": "Customer", "name": customer, "assign_to": [people["other"]]}
		)
	assert frappe.db.get_value("Comment", comment.name, "content") == "Please call them back"
	assert people["other"] in frappe.get_doc("Customer", customer).get_assigned_users()


def test_an_unlocked_record_is_editable_by_everybody_control(people, as_user):
	customer = _customer()
	with as_user(people["other"]):
		_save_customer(customer)
	assert _customer_details(customer) == "changed"
