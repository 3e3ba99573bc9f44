"""Which automatic payment reminder is due for which invoice, once per invoice and rule."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReminderRule:
	days_after_due: int
	email_template: str
	enabled: bool = True


@dataclass(frozen=True)
class ReminderInvoice:
	name: str
	due_date: date | None
	outstanding_amount: float
	on_hold: bool = False


@dataclass(frozen=True)
class DueReminder:
	invoice: str
	rule: ReminderRule
	days_overdue: int


def due_reminders(
	invoices: list[ReminderInvoice],
	rules: list[ReminderRule],
	furthest_sent: dict[str, int],
	today: date,
) -> list[DueReminder]:
	"""For each unpaid, overdue invoice not on hold: the furthest rule it has reached, unless that
	rule or a later one was already sent for it (`furthest_sent`: invoice -> days of the furthest
	rule sent). Earlier rules it skipped (say, the job did not run
	for a month) are not sent late: the customer gets the one reminder that fits today."""
	active = sorted((rule for rule in rules if rule.enabled), key=lambda rule: rule.days_after_due)
	due = []
	for invoice in invoices:
		if invoice.on_hold or invoice.outstanding_amount <= 0 or invoice.due_date is None:
			continue
		days_overdue = (today - invoice.due_date).days
		reached = [rule for rule in active if rule.days_after_due <= days_overdue]
		if not reached:
			continue
		rule = reached[-1]
		if furthest_sent.get(invoice.name, -1) >= rule.days_after_due:
			continue
		due.append(DueReminder(invoice=invoice.name, rule=rule, days_overdue=days_overdue))
	return due
