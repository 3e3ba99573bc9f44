"""bench --site SITE crm-lifecycle ACTION ... : every action of the app from the shell.

Each command runs as `--user` (default Administrator) and calls the very whitelisted method the
REST API calls (crm_lifecycle.api.*), so it checks the same permissions and parses its arguments
with the same parser. Its answer is printed as JSON; a refusal (what REST answers with a 4xx)
rolls back, prints the translated message and exits with status 1.
"""

import json

import click

from frappe.commands import get_site, pass_context

ADMINISTRATOR = "Administrator"


def _message(error: Exception) -> str:
	"""The refusal's text, as the desk would show it (a bare PermissionError keeps its text in
	the flags or the message log)."""
	import frappe
	from frappe import _

	text = str(error) or frappe.flags.error_message
	if not text and frappe.local.message_log:
		last = frappe.local.message_log[-1]
		text = last.get("message") if isinstance(last, dict) else str(last)
	return frappe.utils.strip_html(text or "").strip() or _("Not permitted")


def _as(user: str) -> None:
	import frappe
	from frappe import _

	if not frappe.db.get_value("User", user, "enabled"):
		raise frappe.DoesNotExistError(_("User {0} does not exist or is disabled").format(user))
	frappe.set_user(user)
	frappe.set_user_lang(user)


def run(context, user: str, method: str, whitelisted: bool = True, **kwargs) -> None:
	"""Call the whitelisted `method` as `user` in one transaction and print its answer."""
	import frappe

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		function = frappe.get_attr(method)
		_as(user)
		if whitelisted:
			frappe.is_whitelisted(function)
		result = function(**kwargs)
		frappe.db.commit()
	except Exception as error:
		frappe.db.rollback()
		# what REST answers with a 4xx is a refusal (its message); anything else is a bug
		if getattr(error, "http_status_code", 500) >= 500:
			raise
		raise click.ClickException(_message(error)) from None
	finally:
		frappe.destroy()
	click.echo(json.dumps(result, indent=1, default=str))


def as_user(command):
	return click.option(
		"--user",
		default=ADMINISTRATOR,
		show_default=True,
		help="Run as this user, with this user's permissions",
	)(command)


@click.group("crm-lifecycle")
def crm_lifecycle():
	"""CRM Lifecycle actions (each one as a REST call by --user would do it)."""


# Deactivation and invoice holds
# ------------------------------


@crm_lifecycle.command("deactivate")
@click.argument("name")
@click.option("--contact", is_flag=True, help="NAME is a Contact (default: a Customer)")
@click.option("--hold-invoices", is_flag=True, help="Put open invoices on hold")
@click.option("--held-until", default=None, help="Hold until this date (YYYY-MM-DD)")
@click.option("--cancel-subscriptions", is_flag=True, help="Cancel subscriptions (irreversible)")
@click.option("--reason", default=None, help="Why it is deactivated")
@click.option("--dry-run", is_flag=True, help="Only show what would be touched")
@as_user
@pass_context
def deactivate(
	context, name, contact, hold_invoices, held_until, cancel_subscriptions, reason, dry_run, user
):
	"""Deactivate a customer (or, with --contact, a contact)."""
	doctype = "Contact" if contact else "Customer"
	if dry_run:
		run(context, user, "crm_lifecycle.api.deactivation.preview", doctype=doctype, name=name)
		return
	run(
		context,
		user,
		"crm_lifecycle.api.deactivation.deactivate",
		doctype=doctype,
		name=name,
		hold_invoices=int(hold_invoices),
		cancel_subscriptions=int(cancel_subscriptions),
		reason=reason,
		held_until=held_until,
	)


@crm_lifecycle.command("reactivate")
@click.argument("name")
@click.option("--contact", is_flag=True, help="NAME is a Contact (default: a Customer)")
@as_user
@pass_context
def reactivate(context, name, contact, user):
	"""Reactivate a customer or contact; held invoices stay on hold."""
	doctype = "Contact" if contact else "Customer"
	run(context, user, "crm_lifecycle.api.deactivation.reactivate", doctype=doctype, name=name)


@crm_lifecycle.command("hold")
@click.argument("invoices", nargs=-1, required=True)
@click.option("--reason", default=None, help="Why they are held")
@click.option("--held-until", default=None, help="Release them by themselves after this date (YYYY-MM-DD)")
@as_user
@pass_context
def hold(context, invoices, reason, held_until, user):
	"""Put Sales Invoices on hold (no dunning, notification or payment reminder)."""
	run(
		context,
		user,
		"crm_lifecycle.api.invoice_hold.hold_invoices",
		invoices=list(invoices),
		reason=reason,
		held_until=held_until,
	)


@crm_lifecycle.command("release")
@click.argument("invoices", nargs=-1)
@click.option("--customer", default=None, help="Release all held invoices of this customer")
@as_user
@pass_context
def release(context, invoices, customer, user):
	"""Release held Sales Invoices (or all of a customer's with --customer)."""
	if customer:
		run(context, user, "crm_lifecycle.api.invoice_hold.release_customer_invoices", customer=customer)
		return
	# no names at all is the API's refusal, with its message
	run(context, user, "crm_lifecycle.api.invoice_hold.release_invoices", invoices=list(invoices))


# Record governance
# -----------------


@crm_lifecycle.command("lock")
@click.argument("doctype")
@click.argument("name")
@click.option("--reason", default=None, help="Why it is locked")
@click.option("--expires-on", default=None, help="The lock ends by itself then (YYYY-MM-DD [HH:MM])")
@as_user
@pass_context
def lock(context, doctype, name, reason, expires_on, user):
	"""Lock a record (only its holder may change it)."""
	run(
		context,
		user,
		"crm_lifecycle.api.locking.lock",
		doctype=doctype,
		name=name,
		reason=reason,
		expires_on=expires_on,
	)


@crm_lifecycle.command("unlock")
@click.argument("doctype")
@click.argument("name")
@as_user
@pass_context
def unlock(context, doctype, name, user):
	"""Remove a lock (your own; a lock manager's, anybody's)."""
	run(context, user, "crm_lifecycle.api.locking.unlock", doctype=doctype, name=name)


@crm_lifecycle.command("invalidate")
@click.argument("doctype")
@click.argument("name")
@click.option("--reason", default=None, help="Why it is invalid")
@as_user
@pass_context
def invalidate(context, doctype, name, reason, user):
	"""Mark a customer, contact or lead invalid (hidden from lists and pickers)."""
	run(context, user, "crm_lifecycle.api.governance.invalidate", doctype=doctype, name=name, reason=reason)


@crm_lifecycle.command("restore")
@click.argument("doctype")
@click.argument("name")
@as_user
@pass_context
def restore(context, doctype, name, user):
	"""Make an invalid record valid again."""
	run(context, user, "crm_lifecycle.api.governance.restore", doctype=doctype, name=name)


@crm_lifecycle.command("merge")
@click.argument("doctype")
@click.argument("source")
@click.argument("target")
@click.option("--keep", default=None, help='JSON: {"field": "source" | "target"} for differing fields')
@click.option("--dry-run", is_flag=True, help="Only show the differences and what moves")
@as_user
@pass_context
def merge(context, doctype, source, target, keep, dry_run, user):
	"""Merge SOURCE into TARGET (SOURCE is deleted)."""
	if dry_run:
		run(
			context,
			user,
			"crm_lifecycle.api.governance.merge_preview",
			doctype=doctype,
			source=source,
			target=target,
		)
		return
	run(
		context,
		user,
		"crm_lifecycle.api.governance.merge",
		doctype=doctype,
		source=source,
		target=target,
		keep=keep,
	)


# Accounts and conversions
# ------------------------


@crm_lifecycle.command("transfer")
@click.argument("customers", nargs=-1, required=True)
@click.option("--to", "new_owner", required=True, help="The new account manager (a User)")
@click.option(
	"--include-open-documents",
	is_flag=True,
	help="Also their open opportunities, quotations and the previous owner's assignments",
)
@as_user
@pass_context
def transfer(context, customers, new_owner, include_open_documents, user):
	"""Make a user the account manager of the customers (many: a background job)."""
	run(
		context,
		user,
		"crm_lifecycle.api.accounts.transfer",
		names=list(customers),
		new_owner=new_owner,
		include_open_documents=int(include_open_documents),
	)


@crm_lifecycle.command("convert")
@click.argument("doctype")
@click.argument("name")
@click.argument("targets", nargs=-1)
@click.option("--link", "links", multiple=True, help="Link an existing record instead: DOCTYPE=NAME")
@click.option("--delivery-date", default=None, help="A Sales Order's delivery date (YYYY-MM-DD)")
@as_user
@pass_context
def convert(context, doctype, name, targets, links, delivery_date, user):
	"""Make TARGETS (e.g. Opportunity Contact Customer) from a Lead, Opportunity or Quotation;
	without TARGETS, list the combinations offered."""
	if not targets and not links:
		run(context, user, "crm_lifecycle.api.conversion.targets", doctype=doctype, name=name)
		return
	link = {}
	for pair in links:
		target, _sep, link_name = pair.partition("=")
		link[target] = link_name
	run(
		context,
		user,
		"crm_lifecycle.api.conversion.convert",
		doctype=doctype,
		name=name,
		targets=list(targets),
		link=link or None,
		delivery_date=delivery_date,
	)


@crm_lifecycle.command("registry-fill")
@click.argument("doctype")
@click.argument("name")
@click.argument("provider")
@click.argument("registry_id")
@click.option(
	"--field",
	"fields",
	multiple=True,
	help="Fill this field only (name, tax_id, registration_no, legal_form, address); default: all",
)
@click.option("--dry-run", is_flag=True, help="Only show what the registry says and what would change")
@as_user
@pass_context
def registry_fill(context, doctype, name, provider, registry_id, fields, dry_run, user):
	"""Fill a Customer or Lead from a business registry (PROVIDER: ares or vies)."""
	if dry_run:
		run(
			context,
			user,
			"crm_lifecycle.api.registry.lookup",
			provider=provider,
			query=registry_id,
			doctype=doctype,
			name=name,
		)
		return
	from crm_lifecycle.core.registry import FIELDS

	run(
		context,
		user,
		"crm_lifecycle.api.registry.apply",
		doctype=doctype,
		name=name,
		provider=provider,
		registry_id=registry_id,
		fields=list(fields or FIELDS),
	)


# Portal and reminders
# --------------------


@crm_lifecycle.group("portal-access")
def portal_access():
	"""A contact's portal sections and e-mail opt-ins."""


@portal_access.command("get")
@click.argument("contact")
@as_user
@pass_context
def portal_access_get(context, contact, user):
	"""For each section: view allowed?, e-mail on?, and where the value comes from."""
	run(context, user, "crm_lifecycle.api.portal.get_access", contact=contact)


@portal_access.command("set")
@click.argument("contact")
@click.argument("access")
@as_user
@pass_context
def portal_access_set(context, contact, access, user):
	"""ACCESS: JSON such as '{"Invoices": {"view": 0, "email": 1}}'; sections not named keep theirs."""
	run(context, user, "crm_lifecycle.api.portal.set_access", contact=contact, access=access)


@crm_lifecycle.command("reminders-due")
@click.option("--date", "day", default=None, help="As on this day (YYYY-MM-DD; default today)")
@click.option("--after", default=None, help="The page after this invoice (the previous page's next)")
@click.option("--limit", default=None, type=int, help="Reminders per page (default 100, at most 500)")
@as_user
@pass_context
def reminders_due(context, day, after, limit, user):
	"""Dry run of the daily payment reminders: what would be sent, to whom, a page at a time."""
	run(context, user, "crm_lifecycle.api.reminders.due", date=day, after=after, limit=limit)


# Demo data
# ---------


@crm_lifecycle.command("demo")
@click.option("--remove", is_flag=True, help="Delete exactly what the demo made, nothing else")
@pass_context
def demo(context, remove):
	"""Demo customers, contacts with portal users, leads converted through the app, invoices
	(overdue, one held), a lock, an invalid lead, a deactivated customer (as Administrator)."""
	method = "crm_lifecycle.setup.demo." + ("remove" if remove else "create")
	run(context, ADMINISTRATOR, method, whitelisted=False)


commands = [crm_lifecycle]
