from datetime import date

from crm_lifecycle.core.invoice_hold import HeldInvoice, expired_holds, plan_release


def test_release_reports_invoices_that_were_not_held():
	plan = plan_release([HeldInvoice("A", True), HeldInvoice("B", False), HeldInvoice("C", True)])
	assert plan.to_release == ["A", "C"]
	assert plan.not_held == ["B"]


def test_only_holds_past_their_date_expire():
	today = date(2026, 11, 22)
	invoices = [
		HeldInvoice("yesterday", True, date(2026, 11, 21)),
		HeldInvoice("today", True, today),
		HeldInvoice("open-ended", True, None),
		HeldInvoice("released", False, date(2026, 1, 1)),
	]
	assert expired_holds(invoices, today) == ["yesterday"]
