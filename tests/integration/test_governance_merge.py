"""Merging duplicate customers and contacts: preview, chosen values, every link moved, conflicts,
locks and bad input, against the real site."""

# ruff: noqa: F811  (tests take the imported `people` fixture as a parameter)

import pytest

import frappe

from crm_lifecycle.api import governance as api
from crm_lifecycle.services import delete_report, locking
from tests import factories
from tests.integration.test_governance import people  # noqa: F401 (a fixture: used by name)


def make_quotation(customer: str):
	doc = frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": "Customer",
			"party_name": customer,
			"company": factories.company(),
			"items": [{"item_code": factories.TEST_ITEM, "qty": 1, "rate": 50}],
		}
	)
	doc.set_missing_values()
	return doc.insert()


def receivable_account() -> str:
	return frappe.get_cached_value("Company", factories.company(), "default_receivable_account")


def remaining_links(doctype: str, name: str) -> dict[str, int]:
	return {link.doctype: link.count for link in delete_report.link_counts(doctype, name) if link.count}


def test_merge_customers_moves_every_link_and_applies_the_chosen_values():
	source = factories.make_customer(
		website="https://source.test",
		customer_details="Notes from the source",
		accounts=[{"company": factories.company(), "account": receivable_account()}],
	).name
	target = factories.make_customer(website="https://target.test").name
	invoices = [factories.make_sales_invoice(source).name for _ in range(2)]
	order = factories.make_sales_order(source, submit=False).name
	quotation = make_quotation(source).name
	contact = factories.make_contact(customer=source).name
	project = (
		frappe.get_doc({"doctype": "Project", "project_name": factories.unique("P"), "customer": source})
		.insert()
		.name
	)

	preview = api.merge_preview("Customer", source, target)
	fields = {field["fieldname"]: field for field in preview["fields"]}
	assert (
		fields["website"]["source"] == "https://source.test"
		and fields["website"]["target"] == "https://target.test"
	)
	assert "customer_details" in fields and "customer_name" in fields
	moving = {link["doctype"]: link["count"] for link in preview["links"]}
	assert moving["Sales Invoice"] == 2 and moving["Sales Order"] == 1 and moving["Quotation"] == 1
	assert moving["Contact"] == 1 and moving["Project"] == 1 and moving["GL Entry"] >= 2
	assert preview["rows_carried"] == {"accounts": 1} and preview["can_merge"] and not preview["conflicts"]

	result = api.merge("Customer", source, target, keep='{"website": "source", "customer_details": "target"}')

	assert result["values_from_source"] == ["website"]
	assert not frappe.db.exists("Customer", source)
	merged = frappe.get_doc("Customer", target)
	assert merged.website == "https://source.test"  # chosen: source
	assert not merged.customer_details  # chosen: target (empty)
	assert [row.account for row in merged.accounts] == [receivable_account()]  # carried over
	assert {frappe.db.get_value("Sales Invoice", name, "customer") for name in invoices} == {target}
	assert frappe.db.get_value("Sales Order", order, "customer") == target
	assert frappe.db.get_value("Quotation", quotation, "party_name") == target
	assert frappe.db.get_value("Project", project, "customer") == target

	# the contact's link moved (newer v15 minors also rename a contact named after its customer)
	def linked_contacts(customer):
		return frappe.get_all(
			"Dynamic Link",
			filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": customer},
			pluck="parent",
		)

	assert linked_contacts(source) == [] and len(linked_contacts(target)) == 1
	assert contact in linked_contacts(target) or not frappe.db.exists("Contact", contact)
	assert frappe.db.count("GL Entry", {"party": target}) == moving["GL Entry"]
	assert remaining_links("Customer", source) == {}  # nothing points at the source any more
	timeline = frappe.get_all(
		"Comment", filters={"reference_name": target, "comment_type": "Info"}, pluck="content"
	)
	assert any(source in text and "website" in text for text in timeline)


def test_merge_contacts_unites_their_emails_and_links():
	first_customer, second_customer = factories.make_customer().name, factories.make_customer().name
	source = factories.make_contact(customer=first_customer, email_id="source@crm-lifecycle.test").name
	target = factories.make_contact(customer=second_customer, email_id="target@crm-lifecycle.test").name
	order = factories.make_sales_order(first_customer, submit=False, contact_person=source).name

	api.merge("Contact", source, target)

	merged = frappe.get_doc("Contact", target)
	assert {row.email_id for row in merged.email_ids} == {
		"source@crm-lifecycle.test",
		"target@crm-lifecycle.test",
	}
	assert [row.email_id for row in merged.email_ids if row.is_primary] == ["target@crm-lifecycle.test"]
	assert {row.link_name for row in merged.links} == {first_customer, second_customer}
	assert frappe.db.get_value("Sales Order", order, "contact_person") == target
	assert not frappe.db.exists("Contact", source)


def test_merge_refuses_different_billing_currencies_and_changes_nothing():
	source = factories.make_customer(default_currency="EUR").name
	target = factories.make_customer(default_currency="USD").name
	preview = api.merge_preview("Customer", source, target)
	assert not preview["can_merge"] and "billing currencies" in preview["conflicts"][0]
	with pytest.raises(frappe.ValidationError, match="billing currencies"):
		api.merge("Customer", source, target)
	assert frappe.db.exists("Customer", source)


def test_a_ledger_currency_is_named_only_to_who_may_read_the_ledger(as_user):
	"""A customer without a billing currency bills in its ledger's: the conflict is said to a
	user who may read both customers but not their GL entries, without naming that currency."""
	company_currency = frappe.get_cached_value("Company", factories.company(), "default_currency")
	other_currency = "EUR" if company_currency != "EUR" else "USD"
	source = factories.make_customer(default_currency=other_currency).name
	target = factories.make_customer().name
	factories.make_sales_invoice(target)  # GL entries in the company's currency

	conflict = api.merge_preview("Customer", source, target)["conflicts"][0]
	assert company_currency in conflict and other_currency in conflict  # Administrator (control)
	seller = factories.make_user(roles=["Sales User"]).name
	assert not frappe.has_permission("GL Entry", "read", user=seller)
	with as_user(seller):
		preview = api.merge_preview("Customer", source, target)
	assert not preview["can_merge"] and "billing currencies" in preview["conflicts"][0]
	assert company_currency not in preview["conflicts"][0]


def test_merge_refuses_different_receivable_accounts():
	company = factories.company()
	parent = frappe.db.get_value("Account", receivable_account(), "parent_account")
	other_account = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": factories.unique("Debtors"),
			"parent_account": parent,
			"company": company,
			"account_type": "Receivable",
		}
	).insert()
	source = factories.make_customer(accounts=[{"company": company, "account": receivable_account()}]).name
	target = factories.make_customer(accounts=[{"company": company, "account": other_account.name}]).name
	with pytest.raises(frappe.ValidationError, match="receivable accounts"):
		api.merge("Customer", source, target)
	assert frappe.db.exists("Customer", source)


def test_merge_is_refused_while_either_is_locked_by_somebody_else(people, as_user):
	source, target = factories.make_customer().name, factories.make_customer().name
	with as_user(people["colleague"]):
		locking.lock("Customer", target, reason="Cleaning up")
	with as_user(people["seller"]):
		assert not api.merge_preview("Customer", source, target)["can_merge"]
		with pytest.raises(frappe.PermissionError, match="Locked by .* \\(Cleaning up\\)"):
			api.merge("Customer", source, target)
	assert frappe.db.exists("Customer", source)
	with as_user(people["colleague"]):  # the control: the holder merges
		api.merge("Customer", source, target)
	assert not frappe.db.exists("Customer", source)
	assert locking.status("Customer", target)["locked_by"] == people["colleague"]


def test_the_source_lock_goes_with_the_source(people, as_user):
	source, target = factories.make_customer().name, factories.make_customer().name
	with as_user(people["seller"]):
		locking.lock("Customer", source)
		locking.lock("Customer", target)
		api.merge("Customer", source, target)
	assert (
		frappe.db.count(
			"Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": ("in", [source, target])}
		)
		== 1
	)


@pytest.mark.parametrize(
	("args", "error"),
	[
		(lambda s, t: ("Customer", s, s, None), frappe.ValidationError),
		(lambda s, t: ("Lead", s, t, None), frappe.ValidationError),
		(lambda s, t: ("Customer", s, "No Such Customer 0x4", None), frappe.DoesNotExistError),
		(lambda s, t: ("Customer", s, t, "{not json"), frappe.ValidationError),
		(lambda s, t: ("Customer", s, t, '{"no_such_field": "source"}'), frappe.ValidationError),
		(lambda s, t: ("Customer", s, t, '{"website": "both"}'), frappe.ValidationError),
		(lambda s, t: ("Customer", s, t, '["website"]'), frappe.ValidationError),
	],
	ids=[
		"into itself",
		"not mergeable",
		"unknown target",
		"bad json",
		"unknown field",
		"bad choice",
		"not an object",
	],
)
def test_bad_merge_input_gets_a_4xx_and_changes_nothing(args, error):
	source = factories.make_customer(website="https://s.test").name
	target = factories.make_customer(website="https://t.test").name
	with pytest.raises(error):
		api.merge(*args(source, target))
	assert 400 <= error.http_status_code < 500
	assert frappe.db.exists("Customer", source)
	assert frappe.db.get_value("Customer", target, "website") == "https://t.test"


def test_merge_needs_delete_permission_on_the_source(people, as_user):
	source, target = factories.make_customer().name, factories.make_customer().name
	with as_user(people["outsider"]), pytest.raises(frappe.PermissionError):
		api.merge("Customer", source, target)
	assert frappe.db.exists("Customer", source)


@pytest.fixture
def details_behind_level_1():
	"""The customer's details at permission level 1, as a site may put a field with Customize
	Form; the meta is built anew on both sides (a rollback does not reach the cache)."""
	frappe.make_property_setter(
		{
			"doctype": "Customer",
			"fieldname": "customer_details",
			"property": "permlevel",
			"value": "1",
			"property_type": "Int",
		}
	)
	frappe.clear_cache(doctype="Customer")
	yield
	frappe.db.rollback()
	frappe.clear_cache(doctype="Customer")


def test_the_preview_shows_no_field_behind_a_level_the_user_may_not_read(details_behind_level_1, as_user):
	source = factories.make_customer(customer_details="Confidential A").name
	target = factories.make_customer(customer_details="Confidential B").name
	accountant = factories.make_user(roles=["Accounts User"]).name
	# ERPNext gives Accounts Users level 0 of Customer only
	assert 1 not in frappe.get_meta("Customer").get_permlevel_access("read", user=accountant)
	with as_user(accountant):
		fields = {field["fieldname"] for field in api.merge_preview("Customer", source, target)["fields"]}
		assert "customer_details" not in fields and "customer_name" in fields
	# the control: who may read level 1 sees the difference
	fields = {field["fieldname"]: field for field in api.merge_preview("Customer", source, target)["fields"]}
	assert fields["customer_details"]["source"] == "Confidential A"
