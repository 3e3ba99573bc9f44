"""Portal list pages (/invoices, /quotations, /orders, /project, /issues, ...) per contact.

ERPNext's portal lists do not go through has_website_permission, and their list functions
query with ignore_permissions. For a portal user whose contact is restricted in a section, the
app answers the list itself: nothing when no customer of the user allows the section, else one
query whose conditions keep only the customers that both ERPNext and the contact allow, so
every page is full and paging exact. Unrestricted users get ERPNext's lists untouched. The
same answer serves the page, its paging endpoint (`frappe.www.list.get`) and the raw endpoint
(`frappe.www.list.get_list_data`, also used by web forms such as /issues).

ERPNext's project page (/projects?project=...) and its task / timesheet endpoints follow the
Projects section too.
"""

import json

import frappe
from frappe import _
from frappe.query_builder import Criterion, DocType
from frappe.utils import cint
from frappe.website.page_renderers.base_renderer import BaseRenderer
from frappe.website.page_renderers.list_page import ListPage
from frappe.website.page_renderers.not_permitted_page import NotPermittedPage
from frappe.www import list as www_list

from crm_lifecycle.api import params
from crm_lifecycle.core import party as party_rules
from crm_lifecycle.core import portal as core
from crm_lifecycle.overrides.portal import area_and_customer
from crm_lifecycle.services import portal

# Lists ERPNext builds from get_transaction_list / get_project_list: filtered by customer.
QUERIED_LISTS = ("Sales Invoice", "Quotation", "Sales Order", "Delivery Note", "Project")


def areas_of(doctype: str) -> list[str]:
	return [area.name for area in core.AREAS if area.view and doctype in area.doctypes]


def restriction(doctype: str) -> str | None:
	"""None: ERPNext's list as is; 'all': nothing to show; 'some': the app's query."""
	if doctype not in core.SECTION_DOCTYPES or not portal.is_portal_user():
		return None
	grants = [grants[area].view for grants in portal.user_access().values() for area in areas_of(doctype)]
	if not grants or all(grants):
		return None
	return "some" if any(grants) else "all"


def _checked(doctype) -> str:
	"""A section's doctype is known: no statement for it. Anything else is checked (417 / 404)
	before ERPNext's list gets it."""
	if isinstance(doctype, str) and doctype in core.SECTION_DOCTYPES:
		return doctype
	return params.doctype(doctype)


def _erpnext_customers(doctype: str) -> set[str]:
	"""The customers ERPNext's own portal list of this doctype shows the user."""
	from erpnext.controllers.website_list_for_contact import get_customers_suppliers

	customers, _suppliers = get_customers_suppliers(doctype, frappe.session.user)
	return set(customers or [])


def _contact_customer() -> str | None:
	"""The customer ERPNext's Issue and Timesheet lists use: the first contact's first customer."""
	contact = frappe.db.get_value("Contact", {"user": frappe.session.user}, "name")
	return contact and frappe.get_doc("Contact", contact).get_link_for("Customer")


def _queried_page(doctype: str, txt: str | None, start: int, limit: int) -> list:
	table = DocType(doctype)
	party = table[party_rules.party_field(doctype)]
	shown_by_erpnext = _erpnext_customers(doctype)  # asked once, for every area of the list
	access = portal.user_access()

	def allowed(area: str) -> list[str]:
		return sorted(set(core.customers_allowed(access, area)) & shown_by_erpnext)

	if doctype == "Sales Invoice":
		# The simplest condition that says it: a branch nobody may see is left out, so the usual
		# case (one section denied) is one plain condition, as in ERPNext's own list.
		invoices, credit_notes = allowed("Invoices"), allowed("Credit Notes")
		if invoices == credit_notes:
			branches = [party.isin(invoices)] if invoices else []
		else:
			branches = [
				(table.is_return == is_return) & party.isin(customers)
				for is_return, customers in ((0, invoices), (1, credit_notes))
				if customers
			]
		if not branches:
			return []
		conditions = [Criterion.any(branches)]
	else:
		conditions = [party.isin(allowed(core.view_area(doctype)) or [""])]
	if doctype != "Project":
		conditions.append(table.docstatus == 1)
	if doctype == "Quotation":
		conditions.append(table.quotation_to == "Customer")
	if txt:
		meta = frappe.get_meta(doctype)
		searched = [
			field
			for field in meta.get_search_fields()
			if field == "name"
			or (meta.get_field(field) and meta.get_field(field).fieldtype in ("Data", "Text", "Small Text"))
		] or ["name"]
		conditions.append(Criterion.any([table[field].like(f"%{txt}%") for field in searched]))
	names = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(Criterion.all(conditions))
		.orderby(table.modified, order=frappe.qb.desc)
		.limit(limit)
		.offset(start)
		.run(pluck=True)
	)
	if doctype == "Project":
		rows = frappe.get_all(doctype, filters={"name": ("in", names or [""])}, fields=["*"], limit=0)
		order = {name: index for index, name in enumerate(names)}
		return sorted(rows, key=lambda row: order[row.name])
	from erpnext.controllers.website_list_for_contact import post_process

	return post_process(doctype, [frappe._dict(name=name) for name in names])


@frappe.whitelist(allow_guest=True)
def get_list_data(
	doctype, txt=None, limit_start=0, fields=None, cmd=None, limit=20, web_form_name=None, **kwargs
):
	"""frappe.www.list.get_list_data, narrowed to the sections the user's contacts allow."""
	_checked(doctype)
	limit_start, limit = max(cint(limit_start), 0), max(cint(limit) or 20, 1)
	state = restriction(doctype)
	if state is None:
		return www_list.get_list_data(doctype, txt, limit_start, fields, cmd, limit, web_form_name, **kwargs)
	frappe.flags.list_context = www_list.get_list_context(frappe._dict(), doctype, web_form_name)
	if state == "all":
		return []
	start = limit_start
	if doctype in QUERIED_LISTS:
		return _queried_page(doctype, txt, start, limit)
	# Issue and Timesheet: ERPNext lists the documents of one customer (or the user's own issues)
	customer = _contact_customer()
	if customer and not core.can_view(portal.user_access(), core.view_area(doctype), customer):
		return []
	if doctype == "Issue" and not customer:
		kwargs["customer"] = json.dumps(
			["in", core.customers_allowed(portal.user_access(), "Support") or [""]]
		)
	return www_list.get_list_data(doctype, txt, start, fields, cmd, limit, web_form_name, **kwargs)


@frappe.whitelist(allow_guest=True)
def get(doctype, txt=None, limit_start=0, limit=20, pathname=None, **kwargs):
	"""frappe.www.list.get (the rendered rows of a portal list page), from get_list_data above."""
	_checked(doctype)
	limit_start, limit = max(cint(limit_start), 0), max(cint(limit) or 20, 1)
	if restriction(doctype) is None:
		return www_list.get(doctype, txt, limit_start, limit, pathname, **kwargs)
	raw_result = get_list_data(doctype, txt, limit_start, limit=limit + 1, **kwargs)
	show_more = len(raw_result) > limit
	raw_result = raw_result[:limit]
	if not raw_result:
		return {"result": [], "show_more": False, "next_start": limit_start + limit}

	meta = frappe.get_meta(doctype)
	list_context = frappe.flags.list_context
	row_template = list_context.row_template or "templates/includes/list/row_template.html"
	list_view_fields = [df for df in meta.fields if df.in_list_view][:4]
	pathname = pathname or frappe.local.request.path
	result = []
	for doc in raw_result:
		doc.doctype = doctype
		context = frappe._dict(doc=doc, meta=meta, list_view_fields=list_view_fields)
		if not list_context.get_list and not isinstance(doc, frappe.model.document.Document):
			context.doc = frappe.get_doc(doctype, doc.name)
			context.update(context.doc.as_dict())
		context["pathname"] = pathname.strip("/ ")
		context.update(list_context)
		www_list.set_route(context)
		result.append(frappe.render_template(row_template, context, is_path=True))

	from frappe.utils.response import json_handler

	return {
		"raw_result": json.dumps(raw_result, default=json_handler),
		"result": result,
		"show_more": show_more,
		"next_start": limit_start + limit,
	}


class SectionListPage(ListPage):
	"""Takes over a portal list page only for a portal user restricted in that section."""

	def can_render(self):
		return bool(restriction(self.path)) and super().can_render()

	def render(self):
		if restriction(self.path) == "all":
			return NotPermittedPage(
				self.path, exception=_("You are not permitted to see {0}.").format(_(self.path))
			).render()
		return super().render()

	def update_context(self):
		super().update_context()
		self.context.update(get(**frappe.local.form_dict))


# ERPNext's project page ---------------------------------------------------------------------


def project_denied(project: str | None) -> bool:
	"""A portal user's project whose customer's contact does not allow Projects."""
	if not portal.is_portal_user() or not project:
		return False
	doc = frappe.db.get_value("Project", project, ["name", "customer"], as_dict=True)
	if not doc:
		return False
	doc.doctype = "Project"
	area, customer = area_and_customer(doc)
	return bool(customer) and not core.can_view(portal.user_access(), area, customer)


def _check_project_endpoint(project) -> None:
	"""What ERPNext's project page asks (a desk reader, or a user of the project), and the section."""
	if not isinstance(project, str) or not project or not frappe.db.exists("Project", project):
		frappe.throw(_("{0} {1} not found").format(_("Project"), project), frappe.DoesNotExistError)
	if frappe.session.user == "Guest":
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	member = frappe.db.exists("Project User", {"parent": project, "user": frappe.session.user})
	desk_reader = not portal.is_portal_user() and frappe.has_permission("Project", "read", project)
	if not (member or desk_reader) or project_denied(project):
		frappe.throw(_("Not permitted"), frappe.PermissionError)


@frappe.whitelist()
def get_task_html(project, start=0, item_status=None):
	_check_project_endpoint(project)
	from erpnext.templates.pages import projects

	return projects.get_task_html(project, cint(start), item_status)


@frappe.whitelist()
def get_timesheet_html(project, start=0):
	_check_project_endpoint(project)
	from erpnext.templates.pages import projects

	return projects.get_timesheet_html(project, cint(start))


class ProjectPage(BaseRenderer):
	"""/projects?project=... answers 403 to a portal user whose contact may not see Projects."""

	def can_render(self):
		return self.path == "projects" and project_denied(frappe.form_dict.get("project"))

	def render(self):
		return NotPermittedPage(
			self.path, exception=_("You are not permitted to see {0}.").format(_("Projects"))
		).render()
