"""A lock stops colleagues editing a record, not the business around it: ERPNext's downstream
flows (invoice, deliver, pay a locked order; order a locked quotation; quote a locked
opportunity; convert a locked lead) go through and the locked record's timeline says what
changed; every write the app itself makes is refused for a colleague, with a control that the
same write works once the record is unlocked."""

from collections.abc import Callable

import pytest

import frappe

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.crm.doctype.lead import lead as erpnext_lead
from erpnext.crm.doctype.opportunity.opportunity import make_quotation
from erpnext.selling.doctype.quotation.quotation import make_sales_order
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note, make_sales_invoice

from crm_lifecycle.api import accounts as accounts_api
from crm_lifecycle.api import conversion as conversion_api
from crm_lifecycle.api import deactivation as deactivation_api
from crm_lifecycle.api import governance as governance_api
from crm_lifecycle.api import invoice_hold as invoice_hold_api
from crm_lifecycle.api import portal as portal_api
from crm_lifecycle.api import registry as registry_api
from crm_lifecycle.services import locking
from crm_lifecycle.services.transaction import atomic
from tests import factories

ROLES = [
	"Sales User",
	"Sales Manager",
	"Sales Master Manager",
	"Accounts User",
	"Accounts Manager",
	"Stock User",
	"Projects User",
]


@pytest.fixture(scope="module")
def people(frappe_site):
	with factories.committed_users({"holder": ROLES, "other": ROLES}) as users:
		yield users


def lock(as_user, people, doctype: str, name: str) -> None:
	with as_user(people["holder"]):
		locking.lock(doctype, name, reason="Negotiating")


def unlock(as_user, people, doctype: str, name: str) -> None:
	with as_user(people["holder"]):
		locking.unlock(doctype, name)


def changed_while_locked(doctype: str, name: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": doctype,
			"reference_name": name,
			"content": ("like", "%Changed while locked%"),
		},
		pluck="content",
	)


def refused_edit(as_user, people, doctype: str, name: str) -> bool:
	"""The control: the colleague's own edit of the locked record is still refused."""
	with as_user(people["other"]):
		doc = frappe.get_doc(doctype, name)
		doc.add_comment("Comment", "still a comment")  # comments stay allowed
		try:
			frappe.get_doc(doctype, name).save()
		except frappe.PermissionError:
			frappe.clear_last_message()
			return True
	return False


# Downstream flows of ERPNext go through ------------------------------------------------------


def _order() -> str:
	return factories.make_sales_order(factories.make_customer().name).name


def _invoice(order: str) -> None:
	invoice = make_sales_invoice(order)
	invoice.insert()
	invoice.submit()


def _deliver(order: str) -> None:
	note = make_delivery_note(order)
	note.insert()
	note.submit()


def _pay(order: str) -> None:
	payment = get_payment_entry("Sales Order", order)
	payment.reference_no, payment.reference_date = "LOCK-TEST", frappe.utils.nowdate()
	payment.insert()
	payment.submit()


def _quotation() -> str:
	return factories.make_quotation(customer=factories.make_customer().name).name


def _order_quotation(quotation: str) -> None:
	order = make_sales_order(quotation)
	order.delivery_date = frappe.utils.add_days(frappe.utils.nowdate(), 7)
	order.insert()
	order.submit()


def _opportunity() -> str:
	return factories.make_opportunity(customer=factories.make_customer().name).name


def _quote_opportunity(opportunity: str) -> None:
	quotation = make_quotation(opportunity)
	quotation.insert()
	quotation.submit()


def _lead() -> str:
	return factories.make_lead().name


def _convert_lead(lead: str) -> None:
	erpnext_lead.make_customer(lead).insert()
	opportunity = erpnext_lead.make_opportunity(lead)
	opportunity.append("items", {"item_code": factories.TEST_ITEM, "qty": 1, "rate": 10, "uom": "Nos"})
	opportunity.insert()


def _invoice_customer(customer: str) -> None:
	factories.make_sales_invoice(customer)


def _contact_on_an_order(contact: str) -> None:
	customer = frappe.db.get_value(
		"Dynamic Link", {"parenttype": "Contact", "parent": contact, "link_doctype": "Customer"}, "link_name"
	)
	factories.make_sales_order(customer, contact_person=contact)


def _project() -> str:
	return factories.make_project(factories.make_customer().name).name


FLOWS: list[tuple[str, str, Callable[[], str], Callable[[str], None], Callable[[str], bool]]] = [
	(
		"invoice a locked customer",
		"Customer",
		lambda: factories.make_customer().name,
		_invoice_customer,
		lambda n: frappe.db.exists("Sales Invoice", {"customer": n, "docstatus": 1}) is not None,
	),
	(
		"order for a locked contact",
		"Contact",
		lambda: factories.make_contact(customer=factories.make_customer().name).name,
		_contact_on_an_order,
		lambda n: frappe.db.exists("Sales Order", {"contact_person": n, "docstatus": 1}) is not None,
	),
	(
		"task in a locked project",
		"Project",
		_project,
		lambda n: factories.make_task(n),
		lambda n: frappe.db.exists("Task", {"project": n}) is not None,
	),
	(
		"invoice a locked order",
		"Sales Order",
		_order,
		_invoice,
		lambda n: frappe.db.get_value("Sales Order", n, "per_billed") == 100,
	),
	(
		"deliver a locked order",
		"Sales Order",
		_order,
		_deliver,
		lambda n: frappe.db.get_value("Sales Order", n, "per_delivered") == 100,
	),
	(
		"pay against a locked order",
		"Sales Order",
		_order,
		_pay,
		lambda n: frappe.db.get_value("Sales Order", n, "advance_paid") > 0,
	),
	(
		"order a locked quotation",
		"Quotation",
		_quotation,
		_order_quotation,
		lambda n: frappe.db.get_value("Quotation", n, "status") == "Ordered",
	),
	(
		"quote a locked opportunity",
		"Opportunity",
		_opportunity,
		_quote_opportunity,
		lambda n: frappe.db.get_value("Opportunity", n, "status") == "Quotation",
	),
	(
		"convert a locked lead",
		"Lead",
		_lead,
		_convert_lead,
		lambda n: frappe.db.get_value("Lead", n, "status") in ("Converted", "Opportunity"),
	),
]


# ERPNext marks a lead converted with frappe.db.set_value, which runs no document event: that
# change goes through, but nothing can note it in the lead's timeline. The same for an order's
# advance paid on ERPNext 15.18 (newer minors write it with db_set, and it is noted there).
NOT_NOTED = {"convert a locked lead", "pay against a locked order"}
# Work that writes nothing to the locked record itself (or only with frappe.db.set_value).
NOT_NOTED |= {"invoice a locked customer", "order for a locked contact", "task in a locked project"}


@pytest.mark.parametrize(("flow", "doctype", "make", "act", "done"), FLOWS, ids=[f[0] for f in FLOWS])
def test_downstream_flows_go_through_a_lock_and_are_noted(people, as_user, flow, doctype, make, act, done):
	name = make()
	lock(as_user, people, doctype, name)
	with as_user(people["other"]):
		act(name)
	assert done(name), flow
	if flow not in NOT_NOTED:
		assert changed_while_locked(doctype, name), flow  # the timeline says what changed meanwhile
	assert locking.load_lock(doctype, name) is not None  # still locked
	assert refused_edit(as_user, people, doctype, name)  # and still refused as an edit


# The app's own writes are refused for a colleague -------------------------------------------


@pytest.fixture
def invoices_lockable():
	settings = frappe.get_single("CRM Lifecycle Settings")
	if "Sales Invoice" not in {row.document_type for row in settings.lockable_doctypes}:
		settings.append("lockable_doctypes", {"document_type": "Sales Invoice"})
		settings.save()
	yield


def _deactivated_customer() -> str:
	customer = factories.make_customer().name
	deactivation_api.deactivate("Customer", customer)
	return customer


def _invalid_contact() -> str:
	contact = factories.make_contact(customer=factories.make_customer().name).name
	governance_api.invalidate("Contact", contact)
	return contact


def _held_invoice() -> str:
	invoice = factories.make_sales_invoice(factories.make_customer().name).name
	invoice_hold_api.hold_invoices(frappe.as_json([invoice]))
	return invoice


def _customer() -> str:
	return factories.make_customer().name


def _portal_contact() -> str:
	return factories.make_contact(customer=factories.make_customer().name).name


OWN_WRITES: list[tuple[str, str, Callable[[], str], Callable[[str], object]]] = [
	("deactivate", "Customer", _customer, lambda n: deactivation_api.deactivate("Customer", n)),
	("reactivate", "Customer", _deactivated_customer, lambda n: deactivation_api.reactivate("Customer", n)),
	(
		"hold an invoice",
		"Sales Invoice",
		lambda: factories.make_sales_invoice(_customer()).name,
		lambda n: invoice_hold_api.hold_invoices(frappe.as_json([n])),
	),
	(
		"release an invoice",
		"Sales Invoice",
		_held_invoice,
		lambda n: invoice_hold_api.release_invoices(frappe.as_json([n])),
	),
	("invalidate", "Customer", _customer, lambda n: governance_api.invalidate("Customer", n)),
	("restore", "Contact", _invalid_contact, lambda n: governance_api.restore("Contact", n)),
	(
		"merge (source locked)",
		"Customer",
		_customer,
		lambda n: governance_api.merge("Customer", n, _customer()),
	),
	(
		"merge (target locked)",
		"Customer",
		_customer,
		lambda n: governance_api.merge("Customer", _customer(), n),
	),
	(
		"portal access",
		"Contact",
		_portal_contact,
		lambda n: portal_api.set_access(n, '{"Invoices": {"view": 0}}'),
	),
	(
		"conversion of a locked source",
		"Lead",
		_lead,
		lambda n: conversion_api.convert("Lead", n, '["Opportunity"]'),
	),
]


@pytest.mark.parametrize(("write", "doctype", "make", "act"), OWN_WRITES, ids=[w[0] for w in OWN_WRITES])
def test_the_apps_own_writes_honour_a_lock(people, as_user, invoices_lockable, write, doctype, make, act):
	name = make()
	lock(as_user, people, doctype, name)
	with as_user(people["other"]), pytest.raises(frappe.PermissionError, match="Locked by"):
		act(name)
	frappe.clear_last_message()
	# the control: the same write by the same colleague once the record is unlocked
	unlock(as_user, people, doctype, name)
	with as_user(people["other"]):
		act(name)


def test_owner_transfer_leaves_a_locked_customer_with_the_reason(people, as_user):
	locked, free = _customer(), _customer()
	lock(as_user, people, "Customer", locked)
	with as_user(people["other"]):
		result = accounts_api.transfer(frappe.as_json([locked, free]), people["other"])
	by_name = {row["name"]: row for row in result["results"]}
	assert not by_name[locked]["ok"] and "Locked by" in by_name[locked]["error"]
	assert by_name[free]["ok"]  # the control
	assert frappe.db.get_value("Customer", free, "account_manager") == people["other"]


def test_registry_fill_of_a_locked_record_is_refused_before_asking_the_registry(people, as_user):
	customer = _customer()
	lock(as_user, people, "Customer", customer)
	with as_user(people["other"]), pytest.raises(frappe.PermissionError, match="Locked by"):
		registry_api.apply("Customer", customer, "ares", "27074358", '["name"]')
	frappe.clear_last_message()
	unlock(as_user, people, "Customer", customer)
	with as_user(people["other"]):  # the control: past the lock, the registry is asked (and is absent)
		with pytest.raises(frappe.ValidationError) as raised:
			registry_api.apply("Customer", customer, "ares", "27074358", '["name"]')
		assert not isinstance(raised.value, frappe.PermissionError)
	frappe.clear_last_message()


# Attachments -----------------------------------------------------------------------------------


def _attach(doctype: str, name: str):
	return frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"note-{frappe.generate_hash(length=6)}.txt",
			"attached_to_doctype": doctype,
			"attached_to_name": name,
			"content": "note",
			"is_private": 1,
		}
	).insert()


def test_attachments_are_edits_comments_are_not(people, as_user):
	customer = _customer()
	file = _attach("Customer", customer)
	lock(as_user, people, "Customer", customer)
	with as_user(people["other"]):
		frappe.get_doc("Customer", customer).add_comment("Comment", "a comment is fine")
		with pytest.raises(frappe.PermissionError):
			_attach("Customer", customer)
		frappe.clear_last_message()
		with pytest.raises(frappe.PermissionError):
			frappe.delete_doc("File", file.name)
		frappe.clear_last_message()
	assert frappe.db.exists("File", file.name)
	unlock(as_user, people, "Customer", customer)
	with as_user(people["other"]):  # the control
		_attach("Customer", customer)
		frappe.delete_doc("File", file.name)
	assert not frappe.db.exists("File", file.name)


# A delete that fails keeps the lock ----------------------------------------------------------


def test_a_failed_delete_leaves_the_lock_enforced_in_the_database_and_the_cache(people, as_user):
	customer = _customer()
	factories.make_sales_invoice(customer)  # links to the customer: the delete will fail
	lock(as_user, people, "Customer", customer)
	# the holder deletes it, as Delete with Report does (one savepoint per record)
	with as_user(people["holder"]), pytest.raises(frappe.LinkExistsError), atomic():
		frappe.delete_doc("Customer", customer)
	frappe.clear_last_message()
	assert locking.load_lock("Customer", customer) is not None
	assert locking.cached_lock("Customer", customer) is not None
	assert refused_edit(as_user, people, "Customer", customer)


def test_a_failed_delete_leaves_the_lock_cached_after_the_commit(people, as_user):
	"""Its on_trash forgot the lock, after commit too: the rollback drops that, or the commit
	would take the lock out of a set rebuilt meanwhile and leave it unenforced."""
	customer = _customer()
	factories.make_sales_invoice(customer)  # links to the customer: the delete will fail
	frappe.db.after_commit.reset()  # the data's own; only what follows runs at the "commit"
	lock(as_user, people, "Customer", customer)
	with as_user(people["holder"]), pytest.raises(frappe.LinkExistsError), atomic():
		frappe.delete_doc("Customer", customer)
	frappe.clear_last_message()
	assert locking.cached_lock("Customer", customer) is not None  # the set, rebuilt
	frappe.db.after_commit.run()  # what the request's commit runs
	assert locking.cached_lock("Customer", customer) is not None
	assert refused_edit(as_user, people, "Customer", customer)
