"""`bench --site SITE crm-lifecycle demo [--remove]` (issue 19): the demo shows each capability,
and --remove leaves the site as it was (the CLI is another process: everything is committed)."""

import pytest

import frappe

from crm_lifecycle.services import dependencies, portal
from crm_lifecycle.setup import demo
from tests.integration.test_commands import cli, ok, refused

# every kind of record the demo makes or touches, and those its actions leave behind
WATCHED = (
	"Customer",
	"Contact",
	"User",
	"Lead",
	"Opportunity",
	"Sales Invoice",
	"Item",
	"Lifecycle Lock",
	"Lifecycle Document Link",
	"Lifecycle Portal Access",
	"Dynamic Link",
	"Portal User",
)


def snapshot() -> dict[str, set[str]]:
	frappe.db.rollback()
	return {doctype: set(frappe.get_all(doctype, pluck="name")) for doctype in WATCHED}


@pytest.fixture
def clean_site():
	"""No demo on the site before; whatever the test leaves, removed again."""
	if demo.made():
		pytest.fail("demo data is on the site before the test; remove it with crm-lifecycle demo --remove")
	yield
	frappe.db.rollback()
	if demo.made():
		cli("demo", "--remove")


def test_demo_shows_each_capability_and_remove_leaves_the_site_as_before(clean_site):
	before = snapshot()
	answer = ok("demo")

	# customers with contacts and portal users, with different rights
	assert len(answer["customers"]) == 3
	rights = {contact: portal.get_access(contact)["Invoices"]["view"] for contact in answer["contacts"]}
	assert sorted(rights.values()) == [0, 1, 1]
	for contact, user in answer["portal_users"].items():
		assert frappe.db.get_value("Contact", contact, "user") == user
		assert frappe.db.get_value("User", user, "user_type") == "Website User"
	# leads in several stages, converted through the app (its dependency graph records it)
	statuses = [frappe.db.get_value("Lead", lead, "status") for lead in answer["leads"]]
	assert statuses == ["Lead", "Opportunity", "Converted"]
	for lead, made in zip(answer["leads"][1:], ({"Opportunity"}, {"Customer", "Opportunity"}), strict=True):
		graph = dependencies.graph("Lead", lead)
		assert made <= {node["doctype"] for node in graph["nodes"]}, graph
	# invoices: overdue ones, one held
	overdue = frappe.get_all(
		"Sales Invoice",
		filters={
			"name": ("in", answer["invoices"]),
			"due_date": ("<", frappe.utils.nowdate()),
			"docstatus": 1,
		},
		pluck="name",
	)
	assert len(overdue) >= 2
	assert (
		frappe.get_all(
			"Sales Invoice",
			filters={"name": ("in", answer["invoices"]), "crm_reminders_on_hold": 1},
			pluck="name",
		)
		== answer["held"]
	)
	# a lock, an invalid record, a deactivated customer
	(locked,) = answer["locked"]
	assert frappe.db.exists("Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": locked})
	(invalid,) = answer["invalid"]
	assert frappe.db.get_value("Lead", invalid, "crm_invalid") == 1
	(deactivated,) = answer["deactivated"]
	assert frappe.db.get_value("Customer", deactivated, "crm_active") == 0

	# once is enough: a second run is refused and changes nothing
	refused("demo", message="already on this site")
	assert len(demo.made()) == answer["records"]

	removed = ok("demo", "--remove")
	assert removed["deleted"] == answer["records"]
	after = snapshot()
	assert after == before, {
		doctype: after[doctype] ^ before[doctype] for doctype in WATCHED if after[doctype] != before[doctype]
	}
	refused("demo", "--remove", message="no demo data")


@pytest.fixture
def kept_records():
	"""What --remove keeps on purpose is deleted by the test afterwards, also when it fails (a
	demo customer left behind would make the next run's demo collide with it)."""
	kept: list[tuple[str, str]] = []
	yield kept
	frappe.db.rollback()
	for doctype, name in kept:
		if frappe.db.exists(doctype, name):
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_remove_deletes_only_what_the_demo_made(clean_site, committed, kept_records):
	answer = ok("demo")
	brno, brno_user = answer["customers"][1], "demo-brno@crm-lifecycle.example"
	# made meanwhile by somebody else, named like the demo's and linked to a demo customer
	lookalike = committed.make_customer(customer_name="Demo Alpine Tools GmbH (ours)")
	contact = committed.make_contact(customer=brno)
	kept_records += [("Contact", contact.name), ("Customer", brno), ("User", brno_user)]
	removed = ok("demo", "--remove")
	assert frappe.db.exists("Customer", lookalike.name)
	# ERPNext would delete the contact with the customer: the customer stays, and so does its
	# portal user; the answer says so
	assert frappe.db.exists("Contact", contact.name)
	assert removed["kept"] == [["Customer", brno], ["User", brno_user]]
	assert removed["deleted"] == answer["records"] - 2
	assert [name for name in answer["customers"] if frappe.db.exists("Customer", name)] == [brno]
