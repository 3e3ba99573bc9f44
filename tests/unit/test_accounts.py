"""Account views (week boundaries, view filters) and mass-transfer plans on plain data."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core.accounts import (
	RECENT_LIMIT,
	WEEKDAYS,
	Account,
	Assignment,
	OpenDocument,
	Refusal,
	Refused,
	UnknownView,
	View,
	assignment_lists,
	needs_background,
	parse_view,
	plan_transfer,
	view_filters,
	week_range,
	week_start,
)

SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)

# Weeks -----------------------------------------------------------------------------------------


def test_week_start_on_the_boundaries_for_a_sunday_week():
	assert week_start(SUNDAY, "Sunday") == SUNDAY  # the first day is its own week's start
	assert week_start(SATURDAY, "Sunday") == SUNDAY  # the last day still belongs to it
	assert week_start(SATURDAY + timedelta(days=1), "Sunday") == SATURDAY + timedelta(days=1)
	assert week_start(SUNDAY - timedelta(days=1), "Sunday") == SUNDAY - timedelta(days=7)


def test_week_start_follows_the_first_day_setting():
	assert week_start(SUNDAY, "Monday") == date(2026, 11, 16)  # Sunday ends a Monday week
	assert week_start(MONDAY, "Monday") == MONDAY
	assert week_start(SUNDAY, "Saturday") == date(2026, 11, 21)
	assert week_start(date(2026, 11, 20), "Saturday") == date(2026, 11, 14)


def test_week_start_defaults_to_sunday_and_refuses_unknown_days():
	assert week_start(MONDAY, None) == week_start(MONDAY, "") == SUNDAY
	with pytest.raises(ValueError):
		week_start(MONDAY, "Funday")


def test_week_range_this_and_last_week_across_a_year_end():
	assert week_range(date(2027, 1, 1), "Monday") == (date(2026, 12, 28), date(2027, 1, 3))
	assert week_range(date(2027, 1, 1), "Monday", weeks_ago=1) == (date(2026, 12, 21), date(2026, 12, 27))


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2200, 1, 1)), st.sampled_from(WEEKDAYS))
def test_every_day_falls_in_exactly_one_week_starting_on_the_first_day(day, first_day):
	start, end = week_range(day, first_day)
	assert start <= day <= end and (end - start).days == 6
	assert WEEKDAYS[start.weekday()] == first_day
	last_start, last_end = week_range(day, first_day, weeks_ago=1)
	assert last_end + timedelta(days=1) == start and last_start == start - timedelta(days=7)


# Views -----------------------------------------------------------------------------------------


def test_each_view_means_its_filter():
	me = "me@example.com"
	assert view_filters(View.MY_ACCOUNTS, me, SUNDAY) == [["account_manager", "=", me]]
	assert view_filters(View.NEW_THIS_WEEK, me, SATURDAY, "Sunday") == [
		["creation", "between", ["2026-11-22", "2026-11-28"]]
	]
	assert view_filters(View.NEW_LAST_WEEK, me, SUNDAY, "Sunday") == [
		["creation", "between", ["2026-11-15", "2026-11-21"]]
	]
	assert view_filters(View.NEW_THIS_WEEK, me, SUNDAY, "Monday") == [
		["creation", "between", ["2026-11-16", "2026-11-22"]]
	]
	assert view_filters(View.DEACTIVATED, me, SUNDAY) == [["crm_active", "=", 0]]
	assert view_filters(View.INVALID, me, SUNDAY) == [["crm_invalid", "=", 1]]


def test_unread_excludes_what_was_opened_and_is_everything_when_nothing_was():
	assert view_filters(View.UNREAD, "me", SUNDAY, viewed=["B", "A", "B"]) == [["name", "not in", ["A", "B"]]]
	assert view_filters(View.UNREAD, "me", SUNDAY, viewed=[]) == []


def test_recently_viewed_keeps_the_newest_first_order_and_a_page_of_them():
	assert view_filters(View.RECENTLY_VIEWED, "me", SUNDAY, viewed=["C", "A", "C", "B"]) == [
		["name", "in", ["C", "A", "B"]]
	]
	many = [f"C{i}" for i in range(RECENT_LIMIT + 5)]
	assert view_filters(View.RECENTLY_VIEWED, "me", SUNDAY, viewed=many)[0][2] == many[:RECENT_LIMIT]
	# nothing opened yet: an empty list, not "every customer"
	assert view_filters(View.RECENTLY_VIEWED, "me", SUNDAY, viewed=[]) == [["name", "in", []]]


def test_views_are_named_by_key():
	assert parse_view("new_last_week") is View.NEW_LAST_WEEK
	with pytest.raises(UnknownView):
		parse_view("everything")


def test_large_selections_go_to_the_background():
	assert not needs_background(50)
	assert needs_background(51)


# Transfer --------------------------------------------------------------------------------------

OLD, NEW, COLLEAGUE = "old@x", "new@x", "colleague@x"


def test_accounts_move_refused_ones_are_reported_and_the_new_owners_stay():
	accounts = [Account("A", OLD), Account("B", None), Account("C", NEW), Account("D", OLD)]
	plan = plan_transfer(
		["A", "B", "C", "D", "GONE", "A"], accounts, NEW, refused={"D": Refused(Refusal.NOT_PERMITTED)}
	)
	assert [a.name for a in plan.accounts] == ["A", "B"]
	results = {r.name: r for r in plan.results}
	assert [r.name for r in plan.results] == ["A", "B", "C", "D", "GONE"]  # once each, in order
	assert results["A"].moved and results["A"].previous_owner == OLD
	assert results["B"].moved and results["B"].previous_owner is None
	assert results["C"].ok and not results["C"].moved  # already theirs
	assert results["D"].refused.refusal == Refusal.NOT_PERMITTED and not results["D"].moved
	assert results["GONE"].refused.refusal == Refusal.NOT_FOUND


def test_open_documents_of_the_previous_owner_move_a_colleagues_stay():
	accounts = [Account("A", OLD)]
	documents = [
		OpenDocument("Opportunity", "OPP-1", "A", OLD, True),
		OpenDocument("Opportunity", "OPP-2", "A", None, True),
		OpenDocument("Opportunity", "OPP-3", "A", COLLEAGUE, True),
		OpenDocument("Opportunity", "OPP-4", "A", OLD, True),
		OpenDocument("Quotation", "QTN-1", "A"),
	]
	plan = plan_transfer(
		["A"],
		accounts,
		NEW,
		documents=documents,
		refused_documents={("Opportunity", "OPP-4"): Refused(Refusal.LOCKED, "Locked by Y")},
	)
	assert [d.name for d in plan.documents] == ["OPP-1", "OPP-2"]
	assert [(d.name, r.refusal) for d, r in plan.refused_documents] == [("OPP-4", Refusal.LOCKED)]
	assert plan.results[0].documents == 2


def test_documents_of_refused_or_unchanged_accounts_never_move():
	accounts = [Account("A", OLD), Account("C", NEW)]
	documents = [
		OpenDocument("Opportunity", "OPP-A", "A", OLD, True),
		OpenDocument("Opportunity", "OPP-C", "C", None, True),
	]
	plan = plan_transfer(
		["A", "C"], accounts, NEW, refused={"A": Refused(Refusal.LOCKED)}, documents=documents
	)
	assert plan.documents == [] and plan.accounts == []


def test_assignments_of_the_previous_owner_move_and_are_never_doubled():
	accounts = [Account("A", OLD), Account("B", None)]
	documents = [OpenDocument("Quotation", "QTN-1", "A"), OpenDocument("Quotation", "QTN-2", "A")]
	assignments = [
		Assignment("T1", "Customer", "A", OLD),
		Assignment("T2", "Quotation", "QTN-1", OLD),
		Assignment("T3", "Quotation", "QTN-1", COLLEAGUE),  # someone else's: stays
		Assignment("T4", "Quotation", "QTN-2", OLD),  # the new owner already has QTN-2: closed
		Assignment("T5", "Customer", "A", OLD),  # a second one on A: closed, not doubled
		Assignment("T6", "Customer", "B", COLLEAGUE),  # B had no owner: nothing of anyone moves
		Assignment("T7", "Customer", "Z", OLD),  # not part of the transfer
	]
	plan = plan_transfer(
		["A", "B"],
		accounts,
		NEW,
		documents=documents,
		assignments=assignments,
		new_owner_assigned=[("Quotation", "QTN-2")],
	)
	assert [a.name for a in plan.assignments_to_move] == ["T1", "T2"]
	assert [a.name for a in plan.assignments_to_close] == ["T4", "T5"]
	assert plan.changed_references() == {("Customer", "A"), ("Quotation", "QTN-1"), ("Quotation", "QTN-2")}
	assert plan.results[0].documents == 2  # QTN-1 and QTN-2, the customer itself not counted


def test_timeline_has_one_entry_per_moved_record_saying_what_moved():
	accounts = [Account("A", OLD)]
	documents = [OpenDocument("Opportunity", "OPP-1", "A", None, True)]
	assignments = [Assignment("T1", "Customer", "A", OLD), Assignment("T2", "Opportunity", "OPP-1", OLD)]
	plan = plan_transfer(["A"], accounts, NEW, documents=documents, assignments=assignments)
	assert plan.timeline() == {
		("Customer", "A"): [("account", OLD), ("assignment", OLD)],
		("Opportunity", "OPP-1"): [("owner", None), ("assignment", OLD)],
	}


def test_assignment_lists_are_the_live_users_oldest_first():
	lists = assignment_lists(
		[("Customer", "A"), ("Customer", "B")],
		[("Customer", "A", "x@x"), ("Customer", "A", "y@x"), ("Customer", "C", "z@x"), ("Customer", "A", "")],
	)
	assert lists == {("Customer", "A"): ["x@x", "y@x"], ("Customer", "B"): []}
