"""Portal list pages (/invoices, /quotations, /orders, /project, /issues, ...) per contact.

ERPNext's portal lists do not go through has_website_permission, and their list functions
query with ignore_permissions. For a portal user whose contact is restricted in a section, the
app renders the list itself: a 403 page when no customer of the user allows the section, else
ERPNext's own rows without the documents of denied sections. Unrestricted users get ERPNext's
page untouched. The paging endpoint (frappe.www.list.get) is routed through the same filter.
"""

import json

import frappe
from frappe import _
from frappe.website.page_renderers.list_page import ListPage
from frappe.website.page_renderers.not_permitted_page import NotPermittedPage
from frappe.www import list as www_list

from crm_lifecycle.core import portal as core
from crm_lifecycle.overrides.portal import area_and_customer
from crm_lifecycle.services import portal


def areas_of(doctype: str) -> list[str]:
	return [area.name for area in core.AREAS if area.view and doctype in area.doctypes]


def restriction(doctype: str) -> str | None:
	"""None: ERPNext's list as is; 'all': nothing to show; 'some': filter the rows."""
	if doctype not in core.SECTION_DOCTYPES or not portal.is_portal_user():
		return None
	grants = [grants[area].view for grants in portal.user_access().values() for area in areas_of(doctype)]
	if not grants or all(grants):
		return None
	return "some" if any(grants) else "all"


def visible(doctype: str, rows: list) -> list:
	"""Keep the rows of allowed sections: one query for the page, then dictionary lookups."""
	names = [row.get("name") for row in rows]
	if not names:
		return rows
	fields = ["name", "is_return", "customer"] if doctype == "Sales Invoice" else ["*"]
	docs = {
		doc.name: doc
		for doc in frappe.get_all(doctype, filters={"name": ("in", names)}, fields=fields, limit=0)
	}
	access = portal.user_access()
	kept = []
	for row in rows:
		doc = docs.get(row.get("name"))
		if doc is None:
			continue
		doc.doctype = doctype
		area, customer = area_and_customer(doc)
		if core.can_view(access, area, customer):
			kept.append(row)
	return kept


@frappe.whitelist(allow_guest=True)
def get(doctype, txt=None, limit_start=0, limit=20, pathname=None, **kwargs):
	"""frappe.www.list.get, with the rows of denied sections left out."""
	state = restriction(doctype)
	if state is None:
		return www_list.get(doctype, txt, limit_start, limit, pathname, **kwargs)
	if state == "all":
		return {"result": []}

	limit_start, limit = int(limit_start or 0), int(limit or 20)
	raw_result = www_list.get_list_data(doctype, txt, limit_start, limit=limit + 1, **kwargs)
	show_more = len(raw_result) > limit
	raw_result = visible(doctype, raw_result[:limit])
	if not raw_result:
		return {"result": [], "show_more": show_more, "next_start": limit_start + limit}

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
