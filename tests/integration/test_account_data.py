"""Zoho's account data (issue 16): number of employees and annual revenue on the Customer, carried
over from the Lead, Opportunity or Prospect it is made from, and filterable in the list."""

import frappe

from crm_lifecycle.services import conversion
from tests import factories as f


def account_data(customer: str) -> tuple:
	return tuple(frappe.db.get_value("Customer", customer, ["crm_no_of_employees", "crm_annual_revenue"]))


def insert_mapped(doc):
	"""What the desk does with a mapped Customer: the user completes it and saves."""
	doc.customer_group = doc.customer_group or f.leaf("Customer Group")
	doc.territory = doc.territory or f.leaf("Territory")
	return doc.insert()


def test_the_apps_lead_conversion_carries_the_account_data():
	lead = f.make_lead(no_of_employees="51-200", annual_revenue=2_500_000)
	result = conversion.convert("Lead", lead.name, ["Customer"])
	customer = result["records"][0]["name"]
	assert account_data(customer) == ("51-200", 2_500_000)


def test_erpnexts_own_conversions_carry_it_the_opportunity_first():
	from erpnext.crm.doctype.lead.lead import make_customer as customer_from_lead
	from erpnext.crm.doctype.opportunity.opportunity import make_customer as customer_from_opportunity

	lead = f.make_lead(no_of_employees="11-50", annual_revenue=900_000)
	from_lead = insert_mapped(customer_from_lead(lead.name))
	assert account_data(from_lead.name) == ("11-50", 900_000)

	other = f.make_lead(no_of_employees="1-10", annual_revenue=100)
	opportunity = f.make_opportunity(lead=other.name, no_of_employees="201-500", annual_revenue=0)
	from_opportunity = insert_mapped(customer_from_opportunity(opportunity.name))
	# the deal's own head count wins; the revenue the deal lacks comes from its lead
	assert account_data(from_opportunity.name) == ("201-500", 100)


def test_erpnexts_prospect_conversion_carries_it_and_names_the_prospect():
	from erpnext.crm.doctype.prospect.prospect import make_customer as customer_from_prospect

	prospect = frappe.get_doc(
		{
			"doctype": "Prospect",
			"company_name": f.unique("Prospect Co"),
			"no_of_employees": "501-1000",
			"annual_revenue": 7_000_000,
		}
	).insert()
	customer = insert_mapped(customer_from_prospect(prospect.name))
	assert account_data(customer.name) == ("501-1000", 7_000_000)
	assert customer.prospect_name == prospect.name


def test_values_given_on_the_customer_are_kept_and_a_customer_of_nothing_stays_empty():
	lead = f.make_lead(no_of_employees="1000+", annual_revenue=5)
	kept = f.make_customer(lead_name=lead.name, crm_no_of_employees="1-10", crm_annual_revenue=42)
	assert account_data(kept.name) == ("1-10", 42)
	plain = f.make_customer()  # control: no source, nothing carried
	assert account_data(plain.name) in ((None, 0), ("", 0))


def test_the_list_filters_by_employees_and_revenue():
	small = f.make_customer(crm_no_of_employees="1-10", crm_annual_revenue=10)
	big = f.make_customer(crm_no_of_employees="1000+", crm_annual_revenue=10_000_000)
	names = frappe.get_list(
		"Customer",
		filters={"crm_no_of_employees": "1000+", "crm_annual_revenue": (">", 1_000_000)},
		pluck="name",
	)
	assert big.name in names and small.name not in names
	meta = frappe.get_meta("Customer")
	assert meta.get_field("crm_no_of_employees").in_standard_filter
	assert meta.get_field("crm_annual_revenue").fieldtype == "Currency"


def test_nothing_is_carried_from_a_lead_the_user_may_not_read(as_user):
	lead = f.make_lead(no_of_employees="1000+", annual_revenue=123_456)
	user = f.make_user(roles=["Sales User"])
	allowed = f.make_lead()
	f.restrict(user.name, "Lead", allowed.name)
	with as_user(user.name):
		customer = f.make_customer(lead_name=lead.name)  # a lead of someone else, named by hand
	assert account_data(customer.name) in ((None, 0), ("", 0))
	# control: the same customer made by a user who may read the lead gets its data
	assert account_data(f.make_customer(lead_name=lead.name).name) == ("1000+", 123_456)
