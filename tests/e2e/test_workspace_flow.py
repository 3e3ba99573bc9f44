"""The CRM Lifecycle workspace (issue 18): number cards and charts drawn from the same data the
chart methods give, for the user looking at it."""

import re

import pytest
from playwright.sync_api import expect

import frappe
from frappe.utils import add_months, nowdate

from crm_lifecycle.api import charts
from crm_lifecycle.services import locking


@pytest.fixture
def locked_customer(committed):
	"""A committed customer locked by Administrator (every chart then has data); its lock history
	goes with it."""
	customer = committed.make_customer().name
	locking.lock("Customer", customer, reason="Workspace")
	frappe.db.commit()
	yield customer
	frappe.db.rollback()
	if frappe.db.exists("Lifecycle Lock", {"reference_name": customer}):
		locking.unlock("Customer", customer)
	frappe.db.delete("Lifecycle Lock Log", {"reference_name": customer})
	frappe.db.commit()


def test_workspace_charts_are_drawn_from_the_data(login, committed, locked_customer, screenshot):
	lead = committed.make_lead()
	committed.make_opportunity(lead=lead.name)
	frappe.db.commit()
	page = login("Administrator", "admin")

	answers = {}

	def record(response):
		method = response.url.split("crm_lifecycle.api.charts.")[-1].split("?")[0]
		if "crm_lifecycle.api.charts." in response.url and response.ok:
			answers[method] = response.json()["message"]

	page.on("response", record)
	page.goto("/app/crm-lifecycle")
	expected = {
		"conversion_funnel": charts.conversion_funnel(
			{"from_date": str(add_months(nowdate(), -3)), "to_date": nowdate()}
		),
		"held_invoices": charts.held_invoices({"to_date": nowdate()}),
		"deactivations": charts.deactivations(
			{"from_date": str(add_months(nowdate(), -5)), "to_date": nowdate()}
		),
		"locks_per_user": charts.locks_per_user(),
	}
	page.wait_for_function("() => document.querySelectorAll('svg.frappe-chart').length >= 4", timeout=30_000)
	assert answers == expected  # each chart drew what its method gives for the shipped filters
	drawn = answers["conversion_funnel"]
	assert drawn["datasets"][0]["values"][0] >= 1 and drawn["datasets"][0]["values"][1] >= 1
	assert "Administrator" in answers["locks_per_user"]["labels"]

	for title in (
		"Conversion Funnel",
		"Held Invoices by Age",
		"Deactivations per Month",
		"Active Locks per User",
	):
		widget = page.locator(".widget.dashboard-widget-box", has_text=title)
		expect(widget).to_be_visible()
		widget.scroll_into_view_if_needed()
		expect(widget.locator("svg.frappe-chart")).to_be_visible(timeout=20_000)
	funnel = page.locator(".widget.dashboard-widget-box", has_text="Conversion Funnel")
	# one bar per stage, as high as its leads: the empty stages' bars have no height
	counts = drawn["datasets"][0]["values"]
	expect(funnel.locator("rect.bar")).to_have_count(len(counts))
	# the bars grow in (an animation): wait for the tallest, the first, to stand
	expect(funnel.locator("rect.bar").first).not_to_have_attribute("height", re.compile(r"^0(\.0*)?$"))
	page.wait_for_timeout(1000)  # the others finish growing with it
	heights = [float(bar.get_attribute("height") or 0) for bar in funnel.locator("rect.bar").all()]
	assert [height > 0 for height in heights] == [count > 0 for count in counts]
	assert heights[0] == max(heights)  # every lead is counted in the first stage
	# the axis shortens long labels ("Opp ..."): each begins as the stage's name
	axis = funnel.locator("svg.frappe-chart .x.axis text")
	expect(axis).to_have_count(len(drawn["labels"]))
	texts = axis.evaluate_all("(nodes) => nodes.map((node) => node.textContent)")
	for text, label in zip(texts, drawn["labels"], strict=True):
		assert label.startswith(text.replace("...", "").strip()), (text, label)
	page.locator(".widget.dashboard-widget-box", has_text="Conversion Funnel").scroll_into_view_if_needed()
	screenshot(page, readme="workspace")
