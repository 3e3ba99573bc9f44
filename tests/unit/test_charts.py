import datetime

from crm_lifecycle.core.charts import AGE_BUCKETS, active_change, due_dates, funnel, leads_down, months
from crm_lifecycle.core.dependencies import Edge, Node


def test_the_funnel_counts_leads_per_stage_with_the_rate_against_the_stage_before():
	reached = {"Opportunity": {"L1", "L2", "L3"}, "Quotation": {"L1", "L2"}, "Sales Order": {"L1"}}
	stages = funnel(reached, ["L1", "L2", "L3", "L4"])
	assert [(s.doctype, s.leads, s.rate) for s in stages] == [
		("Lead", 4, None),
		("Opportunity", 3, 75.0),
		("Quotation", 2, 66.7),
		("Sales Order", 1, 50.0),
		("Sales Invoice", 0, 0.0),
	]
	# leads of another period that reached a stage do not count
	assert funnel({"Opportunity": {"L9"}}, ["L1"])[1].leads == 0
	# an empty stage gives 0 %, not a division by zero
	assert funnel({}, [])[1].rate == 0.0


def test_only_edges_down_the_funnel_are_followed():
	assert leads_down(Edge(Node("Lead", "L"), Node("Opportunity", "O"), "Conversion"))
	assert leads_down(Edge(Node("Opportunity", "O"), Node("Sales Invoice", "S"), "Conversion"))
	assert not leads_down(Edge(Node("Quotation", "Q"), Node("Opportunity", "O"), "Conversion"))
	assert not leads_down(Edge(Node("Lead", "L"), Node("Contact", "C"), "Native"))


def test_age_buckets_as_due_date_ranges():
	today = datetime.date(2026, 12, 1)
	assert [due_dates(bucket, today) for bucket in AGE_BUCKETS] == [
		(datetime.date(2026, 11, 1), None),  # 0-30 days, and not due yet
		(datetime.date(2026, 10, 2), datetime.date(2026, 10, 31)),  # 31-60
		(datetime.date(2026, 9, 2), datetime.date(2026, 10, 1)),  # 61-90
		(None, datetime.date(2026, 9, 1)),  # over 90
	]


def test_months_and_active_changes():
	assert months(datetime.date(2025, 11, 15), datetime.date(2026, 2, 1)) == [
		"2025-11",
		"2025-12",
		"2026-01",
		"2026-02",
	]
	assert active_change([["crm_active", 1, 0]]) == -1
	assert active_change([["customer_name", "a", "b"], ["crm_active", "0", "1"]]) == 1
	assert active_change([["crm_active", 1, 1]]) is None
	assert active_change(None) is None
	assert active_change([["crm_active"]]) is None
