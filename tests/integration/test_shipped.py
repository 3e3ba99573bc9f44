"""Shipped defaults (issue 19): the payment reminder templates in English, German and Czech, the
disabled reminder rules using them and the web search shortcuts are on the site after install;
migrate never overwrites an administrator's edit; uninstall removes only what is unchanged.
(A reinstall, i.e. install on a site without the app, is checked in test_install.py.)"""

import subprocess
import sys

import frappe
from frappe.utils import add_days, fmt_money, formatdate, get_url, nowdate

from crm_lifecycle.core import shipped as core
from crm_lifecycle.setup import shipped
from tests import factories
from tests.site_fixtures import BENCH, SITE

TEMPLATES = [doc["name"] for doc in core.email_templates()]


def assert_as_shipped(except_keys: tuple[str, ...] = ()) -> None:
	for unit in core.units():
		if unit.key in except_keys:
			continue
		expected = core.content_hash(unit.content)
		assert shipped.current_content(unit.key) == unit.content, unit.key
		assert shipped.recorded_hash(unit.key) == expected, unit.key


def test_the_shipped_defaults_are_on_the_site_as_shipped():
	assert_as_shipped()
	assert len(TEMPLATES) == 9
	settings = frappe.get_single("CRM Lifecycle Settings")
	assert [(row.enabled, row.email_template) for row in settings.reminder_rules] == [
		(0, "Payment Reminder First (en)"),
		(0, "Payment Reminder Second (en)"),
		(0, "Payment Reminder Final (en)"),
	]
	assert [row.label for row in settings.web_searches] == ["firmy.cz", "Google", "ARES"]


def test_each_template_renders_the_invoice_number_due_date_amount_and_portal_link():
	customer = factories.make_customer()
	invoice = factories.make_sales_invoice(
		customer.name, rate=1234.5, posting_date=add_days(nowdate(), -40), due_date=add_days(nowdate(), -10)
	)
	context = invoice.as_dict()
	for name in TEMPLATES:
		template = frappe.get_doc("Email Template", name)
		subject = frappe.render_template(template.subject, context)
		body = frappe.render_template(template.response_html, context)
		assert invoice.name in subject, name
		assert formatdate(invoice.due_date) in body, name
		assert fmt_money(invoice.outstanding_amount, currency=invoice.currency) in body, name
		assert get_url(f"/invoices/{invoice.name}") in body, name
		assert "{{" not in body and "{%" not in body


def test_shipped_rules_send_nothing_until_enabled():
	customer = factories.make_customer()
	invoice = factories.make_sales_invoice(
		customer.name, posting_date=add_days(nowdate(), -60), due_date=add_days(nowdate(), -40)
	)
	from crm_lifecycle.services import reminders

	frappe.db.set_single_value("CRM Lifecycle Settings", "enable_payment_reminders", 1)
	frappe.clear_document_cache("CRM Lifecycle Settings", "CRM Lifecycle Settings")
	try:
		assert invoice.name not in [row["sales_invoice"] for row in reminders.due()]  # all disabled
		settings = frappe.get_single("CRM Lifecycle Settings")
		settings.reminder_rules[-1].enabled = 1  # the final reminder, 35 days
		settings.save()
		(due,) = (row for row in reminders.due() if row["sales_invoice"] == invoice.name)
		assert due["email_template"] == "Payment Reminder Final (en)"
	finally:
		frappe.db.rollback()
		frappe.clear_document_cache("CRM Lifecycle Settings", "CRM Lifecycle Settings")


def edit_template(name: str, subject: str) -> None:
	template = frappe.get_doc("Email Template", name)
	template.subject = subject
	template.save()


def test_sync_keeps_edits_and_deletions_and_updates_what_the_app_left_unchanged():
	edited, outdated, deleted = TEMPLATES[3:6]  # German: the shipped rules link the English ones
	edit_template(edited, "Our own words {{ name }}")
	# what an older version of the app shipped and wrote, unchanged since
	edit_template(outdated, "Old shipped subject {{ name }}")
	frappe.db.set_value(
		"Lifecycle Shipped Default",
		core.template_key(outdated),
		"content_hash",
		core.content_hash(shipped.current_content(core.template_key(outdated))),
	)
	frappe.delete_doc("Email Template", deleted)
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.append("web_searches", {"label": "Our CRM", "url_template": "https://crm.example/?q={name}"})
	settings.save()

	actions = shipped.sync()

	assert actions[core.template_key(edited)] == "keep"
	assert frappe.db.get_value("Email Template", edited, "subject") == "Our own words {{ name }}"
	assert actions[core.template_key(outdated)] == "write"
	assert not frappe.db.exists("Email Template", deleted)  # deleted on purpose: not brought back
	assert [row.label for row in frappe.get_single("CRM Lifecycle Settings").web_searches][-1] == "Our CRM"
	keys = (core.template_key(edited), core.template_key(deleted), core.table_key("web_searches"))
	assert_as_shipped(except_keys=keys)  # the outdated one is as shipped now


def test_a_template_made_by_hand_before_is_not_taken_over():
	name = TEMPLATES[3]
	frappe.delete_doc("Email Template", name)
	frappe.db.delete("Lifecycle Shipped Default", {"name": core.template_key(name)})
	factories.make_email_template(name=name, subject="Mine {{ name }}")

	assert shipped.sync()[core.template_key(name)] == "keep"
	assert frappe.db.get_value("Email Template", name, "subject") == "Mine {{ name }}"
	assert shipped.recorded_hash(core.template_key(name)) is None
	assert sorted(shipped.remove_unchanged()) == sorted(set(TEMPLATES) - {name})  # nor on uninstall


def test_uninstall_removes_only_the_unchanged_templates():
	edited = TEMPLATES[0]  # the English ones are linked by the shipped rules, which go with the app
	edit_template(edited, "Edited {{ name }}")
	removed = shipped.remove_unchanged()
	assert sorted(removed) == sorted(set(TEMPLATES) - {edited})
	assert frappe.db.exists("Email Template", edited)
	assert not any(frappe.db.exists("Email Template", name) for name in removed)


def bench_migrate() -> None:
	frappe.db.commit()
	result = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SITE, "migrate"],
		cwd=str(BENCH / "sites"),
		capture_output=True,
		text=True,
		timeout=900,
	)
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
	frappe.db.rollback()
	frappe.clear_cache()


def test_an_administrators_edit_survives_a_real_migrate():
	edited, shipped_subject = (core.email_templates()[0][key] for key in ("name", "subject"))
	settings = frappe.get_single("CRM Lifecycle Settings")
	shipped_rules = [(row.enabled, row.days_after_due, row.email_template) for row in settings.reminder_rules]
	try:
		edit_template(edited, "Edited by the administrator {{ name }}")
		settings.reminder_rules[0].enabled = 1
		settings.reminder_rules[0].days_after_due = 3
		settings.save()
		bench_migrate()

		assert (
			frappe.db.get_value("Email Template", edited, "subject")
			== "Edited by the administrator {{ name }}"
		)
		rules = frappe.get_single("CRM Lifecycle Settings").reminder_rules
		assert (rules[0].enabled, rules[0].days_after_due) == (1, 3)
		assert_as_shipped(except_keys=(core.template_key(edited), core.table_key("reminder_rules")))
	finally:
		frappe.db.rollback()
		edit_template(edited, shipped_subject)
		settings = frappe.get_single("CRM Lifecycle Settings")
		for row, (enabled, days, template) in zip(settings.reminder_rules, shipped_rules, strict=True):
			row.enabled, row.days_after_due, row.email_template = enabled, days, template
		settings.save()
		frappe.db.commit()
	assert_as_shipped()
