"""The CRM Lifecycle workspace charts (issue 18): shipped as Dashboard Charts, computed from the
recorded document links, invoices and Versions, for the user looking at them."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from crm_lifecycle.api import charts as api
from crm_lifecycle.services import conversion, deactivation, invoice_hold, locking
from tests import factories as f

CHARTS = ("Conversion Funnel", "Held Invoices by Age", "Deactivations per Month", "Active Locks per User")


def today() -> dict:
	return {"from_date": nowdate(), "to_date": nowdate()}


def values(chart: dict, dataset: int = 0) -> list:
	return chart["datasets"][dataset]["values"]


def minus(after: list, before: list) -> list:
	return [a - b for a, b in zip(after, before, strict=True)]


def test_the_charts_are_shipped_on_the_workspace():
	workspace = frappe.get_doc("Workspace", "CRM Lifecycle")
	assert {row.chart_name for row in workspace.charts} == set(CHARTS)
	for name in CHARTS:
		chart = frappe.get_doc("Dashboard Chart", name)
		assert (chart.is_standard, chart.module) == (1, "CRM Lifecycle")
		if chart.chart_type == "Custom":
			assert frappe.db.exists("Dashboard Chart Source", chart.source)


def test_the_funnel_follows_each_lead_down_the_recorded_links():
	before = api.conversion_funnel(today())

	reaches_invoice = f.make_lead()
	opportunity = f.make_opportunity(lead=reaches_invoice.name)  # ERPNext's own link, recorded
	quotation = conversion.convert("Opportunity", opportunity.name, ["Quotation"])["records"][0]["name"]
	frappe.get_doc("Quotation", quotation).submit()
	conversion.convert("Quotation", quotation, ["Sales Invoice"])
	reaches_opportunity = f.make_lead()
	f.make_opportunity(lead=reaches_opportunity.name)
	f.make_lead()  # stays a lead

	after = api.conversion_funnel(today())
	assert minus(values(after), values(before)) == [3, 2, 1, 0, 1]
	assert after["labels"][0] == "Lead" and after["labels"][1].startswith("Opportunity (")
	# a lead of another period does not count
	yesterday = add_days(nowdate(), -1)
	assert values(api.conversion_funnel({"from_date": yesterday, "to_date": yesterday}))[0] < values(after)[0]


def test_the_funnel_counts_only_the_leads_a_user_may_read(as_user):
	mine, other = f.make_lead(), f.make_lead()
	f.make_opportunity(lead=mine.name)
	f.make_opportunity(lead=other.name)
	user = f.make_user(roles=["Sales User"])
	f.restrict(user.name, "Lead", mine.name)
	with as_user(user.name):
		assert values(api.conversion_funnel(today()))[:2] == [1, 1]
	with as_user(f.make_user(roles=["Accounts User"]).name), pytest.raises(frappe.PermissionError):
		api.conversion_funnel(today())


def test_held_invoices_by_age_amount_and_count():
	customer = f.make_customer().name
	before = api.held_invoices({})
	due = {  # days past due -> bucket
		0: f.make_sales_invoice(
			customer, rate=100, posting_date=add_days(nowdate(), -10), due_date=nowdate()
		),
		1: f.make_sales_invoice(
			customer, rate=200, posting_date=add_days(nowdate(), -80), due_date=add_days(nowdate(), -45)
		),
		3: f.make_sales_invoice(
			customer, rate=400, posting_date=add_days(nowdate(), -200), due_date=add_days(nowdate(), -120)
		),
	}
	not_held = f.make_sales_invoice(
		customer, rate=800, posting_date=add_days(nowdate(), -80), due_date=add_days(nowdate(), -70)
	)
	invoice_hold.hold([invoice.name for invoice in due.values()])

	after = api.held_invoices({})
	assert after["labels"] == ["0-30 days", "31-60 days", "61-90 days", "over 90 days"]
	assert minus(values(after, 1), values(before, 1)) == [1, 1, 0, 1]
	assert minus(values(after, 0), values(before, 0)) == [100, 200, 0, 400]
	assert not_held.outstanding_amount == 800  # control: on no bar


def test_deactivations_and_reactivations_per_month():
	before = api.deactivations(today())
	first, second = f.make_customer().name, f.make_customer().name
	deactivation.deactivate("Customer", first)
	deactivation.deactivate("Customer", second)
	deactivation.reactivate("Customer", second)
	after = api.deactivations(today())
	assert after["labels"] == [nowdate()[:7]]
	assert minus(values(after, 0), values(before, 0)) == [2]
	assert minus(values(after, 1), values(before, 1)) == [1]


def test_active_locks_per_user_for_those_who_may_see_locks(as_user):
	def count() -> int:
		data = api.locks_per_user()
		return dict(zip(data["labels"], values(data), strict=True)).get("Administrator", 0)

	before = count()
	locking.lock("Customer", f.make_customer().name, reason="Chart")
	expired = f.make_customer().name
	locking.lock("Customer", expired, reason="Old", expires_on=str(frappe.utils.add_to_date(None, hours=1)))
	assert count() == before + 2
	frappe.db.set_value(
		"Lifecycle Lock", {"reference_name": expired}, "expires_on", frappe.utils.add_to_date(None, hours=-1)
	)
	assert count() == before + 1  # an expired lock no longer counts
	with as_user(f.make_user(roles=["Sales User"]).name), pytest.raises(frappe.PermissionError):
		api.locks_per_user()  # locks are for System Managers and CRM Lock Managers to see


@pytest.mark.parametrize("filters", ['{"from_date": "yesterday"}', '{"colour": "red"}', "[1]", "{"])
def test_bad_filters_are_refused(filters):
	with pytest.raises(frappe.ValidationError):
		api.conversion_funnel(filters)
	with pytest.raises(frappe.ValidationError):
		api.conversion_funnel({"from_date": nowdate(), "to_date": add_days(nowdate(), -1)})
