"""bench --site SITE crm-lifecycle deactivate NAME [...] / reactivate NAME"""

import json

import click

from frappe.commands import get_site, pass_context


def _run(context, function, *args):
	import frappe

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		result = function(*args)
		frappe.db.commit()
	except frappe.ValidationError as error:
		frappe.db.rollback()
		raise click.ClickException(frappe.utils.strip_html(str(error)) or type(error).__name__)
	finally:
		frappe.destroy()
	click.echo(json.dumps(result, indent=1, default=str))


@click.group("crm-lifecycle")
def crm_lifecycle():
	"""CRM Lifecycle actions."""


@crm_lifecycle.command("deactivate")
@click.argument("name")
@click.option("--contact", is_flag=True, help="NAME is a Contact (default: a Customer)")
@click.option("--hold-invoices", is_flag=True, help="Put open invoices on hold")
@click.option("--cancel-subscriptions", is_flag=True, help="Cancel subscriptions (irreversible)")
@click.option("--reason", default=None, help="Why it is deactivated")
@click.option("--dry-run", is_flag=True, help="Only show what would be touched")
@pass_context
def deactivate(context, name, contact, hold_invoices, cancel_subscriptions, reason, dry_run):
	"""Deactivate a customer (or, with --contact, a contact)."""
	from crm_lifecycle.services import deactivation

	doctype = "Contact" if contact else "Customer"
	if dry_run:
		_run(context, deactivation.preview, doctype, name)
	else:
		_run(context, deactivation.deactivate, doctype, name, hold_invoices, cancel_subscriptions, reason)


@crm_lifecycle.command("reactivate")
@click.argument("name")
@click.option("--contact", is_flag=True, help="NAME is a Contact (default: a Customer)")
@pass_context
def reactivate(context, name, contact):
	"""Reactivate a customer or contact; held invoices stay on hold."""
	from crm_lifecycle.services import deactivation

	_run(context, deactivation.reactivate, "Contact" if contact else "Customer", name)


commands = [crm_lifecycle]
