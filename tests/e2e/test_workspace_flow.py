"""The CRM Lifecycle workspace (issue 18): number cards and charts drawn from the same data the
chart methods give, for the user looking at it."""

from playwright.sync_api import expect

import frappe
from frappe.utils import add_months, nowdate

from crm_lifecycle.api import charts


def test_workspace_charts_are_drawn_from_the_data(login, committed, screenshot):
	lead = committed.make_lead()
	committed.make_opportunity(lead=lead.name)
	frappe.db.commit()
	page = login("Administrator", "admin")

	with page.expect_response(lambda r: "crm_lifecycle.api.charts.conversion_funnel" in r.url) as answer:
		page.goto("/app/crm-lifecycle")
	drawn = answer.value.json()["message"]
	expected = charts.conversion_funnel({"from_date": str(add_months(nowdate(), -3)), "to_date": nowdate()})
	assert drawn == expected
	assert drawn["datasets"][0]["values"][0] >= 1 and drawn["datasets"][0]["values"][1] >= 1

	for title in (
		"Conversion Funnel",
		"Held Invoices by Age",
		"Deactivations per Month",
		"Active Locks per User",
	):
		widget = page.locator(".widget.dashboard-widget-box", has_text=title)
		expect(widget).to_be_visible()
		widget.scroll_into_view_if_needed()
		expect(widget.locator("svg").first).to_be_visible(timeout=20_000)
	funnel = page.locator(".widget.dashboard-widget-box", has_text="Conversion Funnel")
	# one bar per stage with leads in it
	bars = [value for value in drawn["datasets"][0]["values"] if value]
	expect(funnel.locator("rect.bar")).to_have_count(len(bars))
	for label in drawn["labels"]:
		expect(funnel.locator("svg")).to_contain_text(label.split(" (")[0])
	page.locator(".widget.dashboard-widget-box", has_text="Conversion Funnel").scroll_into_view_if_needed()
	screenshot(page, readme="workspace")
