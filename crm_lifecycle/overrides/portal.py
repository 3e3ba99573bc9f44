"""Per-contact portal sections enforced on every path a portal user has.

- has_permission (REST, form load, print/PDF via desk permissions, attachments): deny only;
- has_website_permission (portal detail pages, print view, PDF): registered only for the doctypes
  ERPNext itself opens to the web (core.WEB_DOCTYPES), and True only for a logged-in portal user
  whose customer owns the document and whose contact allows the section. Frappe requires every
  hook of a doctype to say True, so ERPNext's own check still runs beside ours;
- permission_query_conditions (lists through frappe.get_list): only allowed customers;
- update_website_context: the portal sidebar shows only sections allowed somewhere.
Desk users are never touched: every guard returns early unless the user is a Website User.
"""

import frappe

from crm_lifecycle.core import party
from crm_lifecycle.core import portal as core
from crm_lifecycle.services import portal


def area_and_customer(doc) -> tuple[str | None, str | None]:
	"""The portal section a document belongs to and the customer it belongs to."""
	area = core.view_area(doc.doctype, bool(doc.get("is_return")))
	if area is None:
		return None, None
	if doc.doctype == "Task":
		return area, doc.get("project") and frappe.db.get_value("Project", doc.project, "customer")
	return area, party.customer_of(doc.doctype, doc)


def denied(doc, user: str | None = None) -> bool:
	if not portal.is_portal_user(user):
		return False
	area, customer = area_and_customer(doc)
	if area is None or not customer:
		return False
	return not core.can_view(portal.user_access(user), area, customer)


def has_permission(doc, ptype=None, user=None, debug=False):
	"""Controllers may only deny: return False for a denied section, None (no opinion) otherwise."""
	if isinstance(doc, str) or doc is None:
		return None
	return False if denied(doc, user) else None


def has_website_permission(doc, ptype=None, user=None, verbose=False):
	"""True only for a portal user whose customer owns the document and whose contact allows the
	section; a hook registered for a doctype ERPNext keeps off the web would open it to everyone."""
	if isinstance(doc, str) or doc is None or not portal.is_portal_user(user):
		return False
	area, customer = area_and_customer(doc)
	return bool(area and customer) and core.can_view(portal.user_access(user), area, customer)


def has_file_permission(doc, ptype=None, user=None, debug=False):
	"""Private attachments of a document in a denied section are denied too."""
	if not doc.attached_to_doctype or doc.attached_to_doctype not in core.SECTION_DOCTYPES:
		return None
	if not portal.is_portal_user(user) or not doc.attached_to_name:
		return None
	attached = frappe.db.get_value(doc.attached_to_doctype, doc.attached_to_name, "*", as_dict=True)
	if not attached:
		return None
	attached.doctype = doc.attached_to_doctype
	return False if denied(attached, user) else None


def query_conditions(doctype: str, user: str | None) -> str:
	if not portal.is_portal_user(user):
		return ""
	access = portal.user_access(user)
	table = f"`tab{doctype}`"

	def allowed(area: str) -> str:
		customers = core.customers_allowed(access, area)
		return "({})".format(", ".join(frappe.db.escape(c) for c in customers)) if customers else "('')"

	if doctype == "Sales Invoice":
		return (
			f"(({table}.is_return = 0 and {table}.customer in {allowed('Invoices')}) or "
			f"({table}.is_return = 1 and {table}.customer in {allowed('Credit Notes')}))"
		)
	area = core.view_area(doctype)
	if doctype == "Task":
		return f"{table}.project in (select name from `tabProject` where customer in {allowed(area)})"
	field = party.party_field(doctype)
	return f"{table}.{field} in {allowed(area)}"


def _conditions_for(doctype: str):
	def conditions(user=None, doctype=doctype):
		return query_conditions(doctype, user or frappe.session.user)

	return conditions


sales_invoice_conditions = _conditions_for("Sales Invoice")
quotation_conditions = _conditions_for("Quotation")
sales_order_conditions = _conditions_for("Sales Order")
delivery_note_conditions = _conditions_for("Delivery Note")
project_conditions = _conditions_for("Project")
task_conditions = _conditions_for("Task")
timesheet_conditions = _conditions_for("Timesheet")
issue_conditions = _conditions_for("Issue")
contract_conditions = _conditions_for("Contract")


def visible_areas(user: str | None = None) -> set[str]:
	return {
		area for grants in portal.user_access(user).values() for area, grant in grants.items() if grant.view
	}


def update_website_context(context):
	"""The portal sidebar lists only the sections the user may see for at least one customer."""
	if not context.get("sidebar_items") or not portal.is_portal_user():
		return
	areas = visible_areas()

	def shown(item) -> bool:
		doctype = item.get("reference_doctype")
		if doctype not in core.SECTION_DOCTYPES:
			return True
		if doctype == "Sales Invoice":
			return bool({"Invoices", "Credit Notes"} & areas)
		return core.view_area(doctype) in areas

	context.sidebar_items = [item for item in context.sidebar_items if shown(item)]
