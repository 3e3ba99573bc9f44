from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core.reminders import ReminderInvoice, ReminderRule, due_reminders

TODAY = date(2026, 11, 22)
RULES = [ReminderRule(30, "final"), ReminderRule(7, "first"), ReminderRule(14, "second", enabled=False)]


def invoice(days_overdue, **kwargs):
	return ReminderInvoice(kwargs.pop("name", "SINV"), TODAY - timedelta(days=days_overdue), 10.0, **kwargs)


def test_furthest_enabled_rule_reached_is_due():
	assert [r.rule.email_template for r in due_reminders([invoice(10)], RULES, {}, TODAY)] == ["first"]
	assert [r.rule.email_template for r in due_reminders([invoice(45)], RULES, {}, TODAY)] == ["final"]
	assert due_reminders([invoice(6)], RULES, {}, TODAY) == []


def test_held_paid_and_undated_invoices_get_nothing():
	invoices = [
		invoice(10, on_hold=True),
		ReminderInvoice("paid", TODAY - timedelta(days=10), 0.0),
		ReminderInvoice("undated", None, 10.0),
	]
	assert due_reminders(invoices, RULES, {}, TODAY) == []


def test_a_rule_already_sent_or_overtaken_is_not_sent_again():
	assert due_reminders([invoice(10)], RULES, {"SINV": 7}, TODAY) == []
	assert due_reminders([invoice(10)], RULES, {"SINV": 30}, TODAY) == []
	assert [r.rule.days_after_due for r in due_reminders([invoice(31)], RULES, {"SINV": 7}, TODAY)] == [30]


@given(
	days_overdue=st.integers(min_value=-60, max_value=400),
	rule_days=st.lists(st.integers(min_value=0, max_value=365), min_size=1, max_size=6, unique=True),
)
def test_each_invoice_and_rule_is_sent_at_most_once_over_time(days_overdue, rule_days):
	"""Running the job every day for a year sends each rule at most once, in increasing order."""
	rules = [ReminderRule(days, f"t{days}") for days in rule_days]
	sent: dict[str, int] = {}
	history = []
	for day in range(0, 366):
		today = TODAY + timedelta(days=day)
		target = ReminderInvoice("SINV", TODAY - timedelta(days=days_overdue), 1.0)
		for reminder in due_reminders([target], rules, sent, today):
			history.append(reminder.rule.days_after_due)
			sent["SINV"] = reminder.rule.days_after_due
	assert history == sorted(set(history))
	assert set(history) <= set(rule_days)
