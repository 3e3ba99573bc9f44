"""A desk user converts a lead from the Create menu, reads the Dependencies section (in the form's
Connections), and links another lead to an existing customer through the dialog (issue 6)."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

import frappe

from tests.e2e.desk import open_dependencies, shown_dialog
from tests.integration.test_conversion_refusals import drop_orphaned_timeline

LINKS = "Lifecycle Document Link"


@pytest.fixture
def tidy_timeline():
	"""Ask for it before `committed`, so that it is torn down after it."""
	since = frappe.utils.now_datetime()
	yield
	drop_orphaned_timeline(since)


def create_menu(page, label: str):
	page.locator(".page-head:visible .inner-group-button[data-label='Create'] button").click()
	page.locator(".page-head:visible .dropdown-menu .dropdown-item", has_text=label).first.click()


def keep_for_cleanup(committed, lead: str) -> list[tuple[str, str]]:
	"""What the server made from the lead (committed there), so the fixture deletes it afterwards."""
	frappe.db.commit()  # end our snapshot to see the server's commits
	made = frappe.get_all(
		LINKS,
		filters={"source_doctype": "Lead", "source_name": lead},
		fields=["target_doctype", "target_name"],
	)
	for row in sorted(made, key=lambda r: r.target_doctype != "Opportunity"):  # deals deleted first
		if row.target_doctype in ("Opportunity", "Customer", "Contact"):
			committed._record(frappe.get_doc(row.target_doctype, row.target_name))
	return [(row.target_doctype, row.target_name) for row in made]


def test_create_menu_dependencies_and_link_dialog(tidy_timeline, login, committed, screenshot):
	lead = committed.make_lead(with_contact=False)
	page = login("Administrator", "admin")

	page.goto(f"/app/lead/{lead.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(lead.company_name)
	create_menu(page, "Contact + Customer + Opportunity")
	dialog = page.locator(".modal.show")
	expect(dialog).to_contain_text("Opportunity")
	expect(dialog).to_contain_text("created")
	dialog.locator(".btn-modal-close").first.click()

	open_dependencies(page)
	table = page.locator(".crm-dependencies")
	expect(table).to_contain_text("Customer")
	expect(table).to_contain_text("Opportunity")
	expect(table.locator("a", has_text=lead.company_name).first).to_be_visible()  # the customer's link
	screenshot(page, "-dependencies")
	made = keep_for_cleanup(committed, lead.name)
	assert {doctype for doctype, _ in made} == {"Contact", "Customer", "Opportunity"}

	# the deal gets an item, then an invoice from its Create menu; the lead's graph shows it
	opportunity = frappe.get_doc(
		"Opportunity", next(name for doctype, name in made if doctype == "Opportunity")
	)
	opportunity.append("items", {"item_code": committed.TEST_ITEM, "qty": 2, "rate": 150})
	opportunity.save()
	frappe.db.commit()
	page.goto(f"/app/opportunity/{opportunity.name}")
	expect(page.locator(".page-head:visible .title-text")).to_be_visible()
	create_menu(page, "Sales Invoice")
	expect(page.locator(".modal.show")).to_contain_text("created")
	page.locator(".modal.show .btn-modal-close").first.click()
	frappe.db.commit()  # see the server's commit
	invoice = frappe.db.get_value(
		LINKS,
		{"source_doctype": "Opportunity", "source_name": opportunity.name, "target_doctype": "Sales Invoice"},
		"target_name",
	)
	assert invoice
	committed._record(frappe.get_doc("Sales Invoice", invoice))  # deleted before the deal
	page.goto(f"/app/lead/{lead.name}")
	open_dependencies(page)
	expect(page.locator(".crm-dependencies")).to_contain_text(invoice)
	screenshot(page, "-invoice-on-lead")

	other = committed.make_lead(with_contact=False)
	customer = committed.make_customer()
	page.goto(f"/app/lead/{other.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(other.company_name)
	create_menu(page, "Link to Existing Contact / Customer")
	dialog = shown_dialog(page)
	# the value as the link picker sets it (its dropdown is slow and flaky under load)
	page.evaluate("(name) => cur_dialog.set_value('customer', name)", customer.name)
	expect(dialog.locator("input[data-fieldname='customer']")).to_have_value(customer.name)
	dialog.locator("input[data-fieldname='opportunity']").check()
	dialog.locator(".btn-primary", has_text="Link").click()
	expect(page.locator(".modal.show")).to_contain_text("linked")
	screenshot(page, "-linked")

	made = keep_for_cleanup(committed, other.name)
	assert ("Customer", customer.name) in made
	assert frappe.db.get_value("Customer", customer.name, "lead_name") == other.name


def test_a_repeat_lead_is_linked_to_the_suggested_customer(tidy_timeline, login, committed, screenshot):
	"""Repeat business (issue 16): the customer was made from an earlier lead; the dialog suggests it
	by the new lead's company name, one click picks it, and the customer's graph shows both leads."""
	first = committed.make_lead(with_contact=False)
	customer = committed.make_customer(customer_name=first.company_name, lead_name=first.name)
	repeat = committed.make_lead(with_contact=False, company_name=first.company_name)
	page = login("Administrator", "admin")

	page.goto(f"/app/lead/{repeat.name}")
	expect(page.locator(".page-head:visible .title-text")).to_contain_text(repeat.company_name)
	create_menu(page, "Link to Existing Contact / Customer")
	dialog = shown_dialog(page)
	suggestion = dialog.locator(".crm-matches[data-fieldname='customer'] .crm-match", has_text=customer.name)
	expect(suggestion).to_be_visible()
	expect(suggestion).to_have_attribute("title", "Found by company name")
	suggestion.click()
	expect(dialog.locator("input[data-fieldname='customer']")).to_have_value(customer.name)
	screenshot(page, "-suggestions", readme="repeat-lead")
	dialog.locator(".btn-primary", has_text="Link").click()
	expect(page.locator(".modal.show")).to_contain_text("linked")

	frappe.db.commit()  # see the server's commit
	assert frappe.db.get_value("Customer", customer.name, "lead_name") == first.name
	assert frappe.db.get_value("Lead", repeat.name, "status") == "Converted"
	page.goto(f"/app/customer/{customer.name}")
	open_dependencies(page)
	graph = page.locator(".crm-dependencies")
	expect(graph).to_contain_text(first.name)
	expect(graph).to_contain_text(repeat.name)
	screenshot(page, "-both-leads")


def test_dependencies_drawn_as_a_graph(tidy_timeline, login, committed, screenshot):
	"""Issue 18: the Dependencies section draws the graph (a box per record coloured by status, arrows
	"made from", the record itself outlined), with the table kept below; a click opens a record."""
	from crm_lifecycle.services import conversion, dependencies

	lead = committed.make_lead(with_contact=False)
	conversion.convert("Lead", lead.name, ["Contact", "Customer", "Opportunity"])
	frappe.db.commit()
	made = dict(keep_for_cleanup(committed, lead.name))
	graph = dependencies.graph("Lead", lead.name)
	page = login("Administrator", "admin")

	page.goto(f"/app/lead/{lead.name}")
	open_dependencies(page)
	svg = page.locator(".crm-dependency-graph svg")
	expect(svg).to_be_visible()
	nodes = svg.locator(".crm-graph-node")
	expect(nodes).to_have_count(len(graph["nodes"]))
	expect(svg.locator(".crm-graph-edge")).to_have_count(len(graph["edges"]))
	drawn = {(n.get_attribute("data-doctype"), n.get_attribute("data-name")) for n in nodes.all()}
	assert drawn == {(node["doctype"], node["name"]) for node in graph["nodes"]}
	root = svg.locator(".crm-graph-node[data-root='1']")
	expect(root).to_have_attribute("data-name", lead.name)
	expect(root).to_have_attribute("data-colour", "green")  # Converted
	expect(root.locator("rect")).to_have_attribute("stroke-width", "3")
	for doctype in ("Customer", "Contact", "Opportunity"):
		edge = svg.locator(f".crm-graph-edge[data-source='{lead.name}'][data-target='{made[doctype]}']")
		expect(edge).to_have_count(1)
	expect(page.locator(".crm-dependencies")).to_contain_text(made["Opportunity"])  # the table stays
	screenshot(page, readme="dependencies-graph")

	svg.locator(f".crm-graph-node[data-doctype='Customer'][data-name='{made['Customer']}']").click()
	expect(page).to_have_url(re.compile(re.escape(f"/app/customer/{quote(made['Customer'], safe='')}")))
