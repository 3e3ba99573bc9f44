"""Every refusal of a conversion, each with its control: data ERPNext would miss, permissions
(read and write on the source, create on every record made), bad arguments, and the HTTP statuses."""

import json

import pytest

import frappe

from crm_lifecycle.api import conversion as api
from crm_lifecycle.api import dependencies as dependencies_api
from crm_lifecycle.services import conversion
from tests import factories as f
from tests.integration.test_conversion import LEAD_COMBINATIONS, records


def test_a_draft_quotation_is_not_invoiced_and_says_why():
	quotation = f.make_quotation(customer=f.make_customer().name, submit=False)
	options = {tuple(o["targets"]): o for o in conversion.options("Quotation", quotation.name)}
	assert "Submit" in options[("Sales Invoice",)]["reason"]
	with pytest.raises(frappe.ValidationError, match="Submit"):
		conversion.convert("Quotation", quotation.name, ["Sales Invoice"])
	assert options[("Opportunity",)]["available"]  # control: a draft may open a new deal


def test_an_invoice_needs_items_and_the_message_says_so():
	customer = f.make_customer()
	opportunity = f.make_opportunity(customer=customer.name, items=[])
	options = {tuple(o["targets"]): o for o in conversion.options("Opportunity", opportunity.name)}
	assert "has no items" in options[("Sales Invoice",)]["reason"]

	with pytest.raises(frappe.MandatoryError, match="has no items"):
		conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"])
	assert not frappe.db.exists("Sales Invoice", {"customer": customer.name})

	opportunity.append("items", {"item_code": f.TEST_ITEM, "qty": 1, "rate": 10, "uom": "Nos"})
	opportunity.save()  # control: with an item it is invoiced
	assert records(conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"]))["Sales Invoice"]


@pytest.fixture
def bare_company():
	"""A company made without a chart of accounts: no default receivable or income account.
	Rolled back with the test like everything else."""
	frappe.local.flags.ignore_chart_of_accounts = True
	try:
		company = frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": f.unique("CRM LC Bare"),
				"abbr": "CLB" + frappe.generate_hash(length=4),
				"default_currency": "USD",
				"country": "United States",
			}
		).insert(ignore_permissions=True)
	finally:
		frappe.local.flags.ignore_chart_of_accounts = False
	return company.name


def test_missing_company_defaults_are_named_and_nothing_is_created(bare_company):
	lead = f.make_lead(company=bare_company)
	opportunity = f.make_opportunity(lead=lead.name, company=bare_company)

	with pytest.raises(frappe.MandatoryError) as info:
		conversion.convert("Opportunity", opportunity.name, ["Sales Invoice"])

	message = str(info.value)
	assert "Default Receivable Account" in message and "Default Income Account" in message
	assert bare_company in message
	# the customer was made first, then the invoice failed: the customer is gone too
	assert not frappe.db.exists("Customer", {"lead_name": lead.name})
	assert not frappe.db.exists("Sales Invoice", {"company": bare_company})

	# control: the same lead's deal in a company with its defaults is invoiced
	other = f.make_opportunity(lead=f.make_lead().name)
	assert records(conversion.convert("Opportunity", other.name, ["Sales Invoice"]))["Sales Invoice"]


def test_permissions_read_on_the_source_create_on_every_target(as_user):
	sales_user = f.make_user(roles=["Sales User"])
	sales_manager = f.make_user(roles=["Sales Manager"])  # ERPNext: may not create customers
	accounts_user = f.make_user(roles=["Accounts User"])  # may not read leads
	lead = f.make_lead()

	with as_user(sales_manager.name):
		for targets in (["Customer"], ["Opportunity", "Customer"]):
			with pytest.raises(frappe.PermissionError, match="Customer"):
				api.convert("Lead", lead.name, json.dumps(targets))
		assert not frappe.db.exists("Opportunity", {"party_name": lead.name})
		made = records(api.convert("Lead", lead.name, '["Opportunity"]'))  # control
		assert made["Opportunity"]["action"] == "created"

	with as_user(accounts_user.name):
		for call in (api.targets, dependencies_api.graph):
			with pytest.raises(frappe.PermissionError):
				call("Lead", lead.name)
		with pytest.raises(frappe.PermissionError):
			api.convert("Lead", lead.name, '["Opportunity"]')

	with as_user(sales_user.name):
		assert api.targets("Lead", lead.name)  # control: read on the lead
		customer = records(api.convert("Lead", lead.name, '["Customer"]'))["Customer"]["name"]
	quotation = f.make_quotation(customer=customer)
	with as_user(sales_user.name):
		with pytest.raises(frappe.PermissionError, match="Sales Invoice"):
			api.convert("Quotation", quotation.name, '["Sales Invoice"]')
		assert records(api.convert("Quotation", quotation.name, '["Sales Order"]'))["Sales Order"]  # control
	assert not frappe.db.exists("Sales Invoice", {"customer": customer})


def test_a_conversion_changes_its_source_so_it_needs_write_permission_on_it(as_user):
	"""The lead becomes "Converted" and links what was made: who may only read it (a read share)
	may not convert it, even with the right to create customers; a write share may."""
	from frappe.share import add as share

	lead = f.make_lead()
	user = f.make_user(roles=["Sales Master Manager"]).name  # creates customers, no right on leads
	share("Lead", lead.name, user, read=1, write=0)
	with as_user(user):
		assert frappe.has_permission("Lead", "read", lead.name)
		with pytest.raises(frappe.PermissionError):
			api.convert("Lead", lead.name, '["Customer"]')
	assert frappe.db.get_value("Lead", lead.name, "status") != "Converted"
	assert not frappe.db.exists("Customer", {"lead_name": lead.name})
	share("Lead", lead.name, user, read=1, write=1)  # control
	with as_user(user):
		assert records(api.convert("Lead", lead.name, '["Customer"]'))["Customer"]["action"] == "created"
	assert frappe.db.get_value("Lead", lead.name, "status") == "Converted"


def test_a_refusal_names_the_customer_and_the_contact_only_to_who_may_read_them(as_user):
	lead = f.make_lead()  # with the contact ERPNext made for it
	customer = records(api.convert("Lead", lead.name, '["Customer"]'))["Customer"]["name"]
	contact = conversion.load_source("Lead", lead.name).contact
	assert contact
	seller = f.make_user(roles=["Sales User"])
	for doctype, allowed in (("Customer", f.make_customer().name), ("Contact", f.make_contact().name)):
		f.restrict(seller.name, doctype, allowed)

	def reasons() -> str:
		options = {tuple(option["targets"]): option for option in api.targets("Lead", lead.name)}
		return options[("Customer",)]["reason"] + options[("Contact",)]["reason"]

	with as_user(seller.name):
		hidden = reasons()
		with pytest.raises(frappe.DuplicateEntryError) as refused:
			api.convert("Lead", lead.name, '["Customer"]')
	assert customer not in hidden and contact not in hidden
	assert hidden.count("(not shown to you)") == 2
	assert customer not in str(refused.value) and "(not shown to you)" in str(refused.value)
	# control: who may read them is told their names
	shown = reasons()
	assert customer in shown and contact in shown


def test_bad_arguments_are_refused_clearly():
	lead = f.make_lead()
	with pytest.raises(frappe.ValidationError, match="JSON"):
		api.convert("Lead", lead.name, "Opportunity")
	with pytest.raises(frappe.ValidationError, match="cannot be created from a Lead"):
		api.convert("Lead", lead.name, '["Sales Invoice"]')
	with pytest.raises(frappe.DoesNotExistError):
		api.convert("Lead", "CRM-LEAD-NOPE", '["Opportunity"]')
	with pytest.raises(frappe.ValidationError, match="both"):
		api.convert("Lead", lead.name, '["Customer"]', json.dumps({"Customer": f.make_customer().name}))


def drop_orphaned_timeline(since) -> None:
	"""Frappe deletes a deleted document's comments in a background job after commit; a test bench
	without workers keeps them. Removes the timeline lines written since `since` whose document
	is gone (the test's committed data, deleted by `committed`)."""
	frappe.db.rollback()
	rows = frappe.get_all(
		"Comment",
		filters={"comment_type": "Info", "creation": (">=", since)},
		fields=["name", "reference_doctype", "reference_name"],
	)
	orphans = [row.name for row in rows if not frappe.db.exists(row.reference_doctype, row.reference_name)]
	if orphans:
		frappe.db.delete("Comment", {"name": ("in", orphans)})
	frappe.db.commit()


@pytest.fixture
def tidy_timeline():
	"""Ask for it before `committed`, so that it is torn down after it."""
	since = frappe.utils.now_datetime()
	yield
	drop_orphaned_timeline(since)


@pytest.mark.http
def test_rest_interface_statuses(tidy_timeline, http, committed):
	sales_user = committed.make_user(roles=["Sales User"])
	sales_manager = committed.make_user(roles=["Sales Manager"])
	lead = committed.make_lead()
	user = http(sales_user.name, committed.PORTAL_PASSWORD)
	method = "/api/method/crm_lifecycle.api.conversion."

	response = user.get(method + "targets", params={"doctype": "Lead", "name": lead.name})
	assert response.status_code == 200, response.text
	assert len(response.json()["message"]) == len(LEAD_COMBINATIONS)

	denied = http(sales_manager.name, committed.PORTAL_PASSWORD).post(
		method + "convert", data={"doctype": "Lead", "name": lead.name, "targets": '["Customer"]'}
	)
	assert denied.status_code == 403, denied.text

	response = user.post(
		method + "convert",
		data={"doctype": "Lead", "name": lead.name, "targets": '["Opportunity", "Customer"]'},
	)
	assert response.status_code == 200, response.text
	frappe.db.commit()  # end our snapshot: see what the server committed, and delete it afterwards
	for record in response.json()["message"]["records"]:
		if record["action"] == "created":
			committed._record(frappe.get_doc(record["doctype"], record["name"]))

	again = user.post(
		method + "convert", data={"doctype": "Lead", "name": lead.name, "targets": '["Customer"]'}
	)
	assert again.status_code == 409, again.text

	graph = user.get(
		"/api/method/crm_lifecycle.api.dependencies.graph", params={"doctype": "Lead", "name": lead.name}
	)
	assert graph.status_code == 200, graph.text
	assert {node["doctype"] for node in graph.json()["message"]["nodes"]} >= {
		"Lead",
		"Customer",
		"Opportunity",
	}
