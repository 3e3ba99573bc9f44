"""Creates records from a Lead, Opportunity or Quotation: load the facts, let core.conversion plan,
make every record of the plan in ONE transaction, record the edges of the dependency graph.

In a web request Frappe rolls the whole request back on an error anyway; the savepoint makes the
same promise to callers in-process (bench console, jobs, tests): if the third record fails, the
first two are gone too.
"""

import datetime
import functools
from collections.abc import Callable

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate, nowdate

from erpnext.telephony.doctype.call_log.call_log import link_existing_conversations

from crm_lifecycle.core import conversion as core
from crm_lifecycle.core.conversion import CREATE, LINK, REUSE, Linked, Plan, Problem, Refused, Source, Step
from crm_lifecycle.services import dependencies, events, links, locking, refusals, visibility
from crm_lifecycle.services.conversion_mappers import MAKERS
from crm_lifecycle.services.records import save_changes
from crm_lifecycle.services.transaction import atomic


def messages() -> dict[str, str]:
	"""Problem code -> message in the user's language (what kind of refusal each is, and so the
	HTTP status, is the core's: core.conversion.PROBLEM_KINDS)."""
	return {
		"unknown_target": _("{0} cannot be created by a conversion"),
		"unsupported_source": _("Nothing can be created from a {0} by a conversion"),
		"not_linkable": _("A {0} cannot be linked to a {1}"),
		"create_and_link": _("{0} is both to be created and to be linked: choose one"),
		"nothing_to_do": _("Choose what to create or to link"),
		"unsupported_combination": _("{0} cannot be created from a {1}"),
		"cancelled": _("{0} {1} is cancelled"),
		"closed": _("{0} {1} is {2}"),
		"not_submitted": _("Submit {0} {1} before creating a {2} from it"),
		"no_items": _("{0} {1} has no items, but a {2} needs at least one"),
		"no_customer": _("{0} {1} is for a {2}; a Sales Order or Sales Invoice needs a Customer or a Lead"),
		"already_converted": (
			_("Lead {0} was already converted to {1} {2}; nothing was created. Link to it instead.")
		),
		"has_contact": _("Lead {0} already has Contact {1}; there is no contact to create"),
		"missing_company": _("{0} needs a Company: set a default Company or one on the source"),
		"missing_currency": _("{0} needs a currency: set a Default Currency on Company {1}"),
		"missing_items": _("{0} needs at least one item"),
		"missing_receivable_account": (
			_(
				"Company {0} has no Default Receivable Account and neither the customer nor its group has one: set it in the Company"
			)
		),
		"missing_income_account": (
			_(
				"Company {0} has no Default Income Account and the items in rows {1} have none of their own: set it in the Company or on the Item"
			)
		),
	}


ACTIONS = {CREATE: "created", REUSE: "reused", LINK: "linked"}


# problems that name another record than the source: (position of its name, its doctype)
NAMED_RECORDS = {"already_converted": (2, core.CUSTOMER), "has_contact": (1, core.CONTACT)}


def describe(problem: Problem, can_read: Callable[[str, str], bool] = visibility.can_read) -> str:
	message = messages()[problem.code]
	# doctypes in the user's language, record names as they are
	params = [_(p) if p in core.CREATION_ORDER or p == core.LEAD else p for p in problem.params]
	if problem.code in NAMED_RECORDS:
		position, doctype = NAMED_RECORDS[problem.code]
		# the other record is named only to those who may read it
		if not can_read(doctype, params[position]):
			params[position] = _("(not shown to you)")
	return message.format(*params)


def fail(problem: Problem):
	frappe.throw(describe(problem), refusals.exception(problem.kind), title=_("Cannot convert"))


def options(doctype: str, name: str) -> list[dict]:
	"""The combinations offered for this record, each available or with the reason why not."""
	can_read = functools.cache(visibility.can_read)  # several options name the same customer
	return [
		{
			"targets": list(option.targets),
			"label": " + ".join(_(target) for target in option.targets),
			"available": option.available,
			"reason": describe(option.problem, can_read) if option.problem else None,
		}
		for option in core.options(load_source(doctype, name))
	]


def convert(
	doctype: str,
	name: str,
	targets: list[str],
	link: dict[str, str] | None = None,
	delivery_date: datetime.date | str | None = None,
) -> dict:
	"""Make (or link) the requested records from the source; all of them or, on any error, none."""
	source = load_source(doctype, name, for_update=True)  # two clicks on Convert queue up here
	# a conversion of the app is an edit of its source (marked converted, linked to what is made)
	# and of every existing record it links: the user may change the source, and none of them may
	# be locked by somebody else
	frappe.has_permission(doctype, "write", name, throw=True)
	locking.check_write_to(doctype, name)
	for target, link_name in (link or {}).items():
		locking.check_write_to(target, link_name)
	linked = {target: load_linked(target, link_name) for target, link_name in (link or {}).items()}
	try:
		plan = core.plan(source, targets, linked)
	except Refused as refused:
		fail(refused.problem)
	check_permissions(plan)

	source_doc = frappe.get_doc(doctype, name)
	made: dict[str, Document] = {}
	with atomic():
		for step in plan.steps:
			made[step.doctype] = carry_out(step, source_doc, made, delivery_date)
		names = {target: doc.name for target, doc in made.items()}
		dependencies.record(core.edges(plan, names))
		note_source_status(source_doc)
	return {
		"source": {"doctype": doctype, "name": name},
		"records": [
			{
				"doctype": step.doctype,
				"name": made[step.doctype].name,
				"title": made[step.doctype].get_title(),
				"action": ACTIONS[step.action],
				"implicit": step.implicit,
			}
			for step in plan.steps
		],
	}


def note_source_status(source_doc: Document) -> None:
	"""ERPNext marks the source of a conversion (a Lead "Converted" or "Opportunity", a
	Quotation "Ordered") with a plain database write, which leaves no Version and runs no event:
	the app's conversions leave both, as a form save would."""
	if not source_doc.meta.has_field("status"):
		return
	status = frappe.db.get_value(source_doc.doctype, source_doc.name, "status")
	if status != source_doc.status:
		events.changed(source_doc.doctype, {source_doc.name: [("status", source_doc.status, status)]})


def check_permissions(plan: Plan) -> None:
	"""Create permission on every record to make, write on every record to link, read on reuse."""
	for step in plan.steps:
		if step.action == CREATE and not frappe.has_permission(step.doctype, "create"):
			frappe.throw(
				_("You are not permitted to create a {0}, which this conversion makes").format(
					_(step.doctype)
				),
				frappe.PermissionError,
			)
		if step.action in (LINK, REUSE):
			frappe.has_permission(
				step.doctype, "write" if step.action == LINK else "read", step.name, throw=True
			)


def carry_out(step: Step, source_doc: Document, made: dict[str, Document], delivery_date=None) -> Document:
	if step.action == REUSE:
		return frappe.get_doc(step.doctype, step.name)
	if step.action == LINK:
		return link_to_lead(frappe.get_doc(step.doctype, step.name), source_doc)
	doc = MAKERS[(source_doc.doctype, step.doctype)](source_doc, made)
	if doc.doctype == "Sales Order":
		fill_delivery_date(doc, source_doc, delivery_date)
	problems = core.missing(draft_of(doc))
	if problems:
		frappe.throw(
			"<br>".join(describe(p) for p in problems),
			refusals.exception(problems[0].kind),
			title=_("Missing data"),
		)
	if doc.meta.title_field == "title" and "{" in (doc.get("title") or ""):
		doc.title = None  # the mapper copied the template ("{customer_name}"); let Frappe fill it
	if doc.doctype == "Contact" and doc.get("phone_nos"):
		return insert_contact(doc)
	return doc.insert()


def default_delivery_date(source_doc: Document, order_date) -> datetime.date:
	"""The quotation's "valid till" when it lies ahead, else the order's own date (what ERPNext
	15.18's mapper set; newer v15 mappers leave it empty and the order refuses to save)."""
	valid_till = source_doc.get("valid_till")
	if valid_till and getdate(valid_till) >= getdate(order_date):
		return getdate(valid_till)
	return getdate(order_date)


def fill_delivery_date(order: Document, source_doc: Document, delivery_date=None) -> None:
	order_date = order.transaction_date or nowdate()
	date = getdate(delivery_date) if delivery_date else default_delivery_date(source_doc, order_date)
	if date < getdate(order_date):
		frappe.throw(
			_("The delivery date {0} lies before the order date {1}.").format(
				formatdate(date), formatdate(order_date)
			),
			frappe.ValidationError,
		)
	order.delivery_date = date
	for item in order.get("items"):
		if not item.get("delivery_date") or delivery_date:
			item.delivery_date = date


def insert_contact(contact: Document) -> Document:
	"""ERPNext's Contact.after_insert links earlier call logs by phone number and COMMITS
	(call_log.link_existing_conversations), which would end our one transaction halfway through.
	So the numbers go on in a second save, and that linking runs once our transaction committed."""
	phones = [
		{field: row.get(field) for field in ("phone", "is_primary_phone", "is_primary_mobile_no")}
		for row in contact.phone_nos
	]
	contact.set("phone_nos", [])
	contact.insert()
	contact.set("phone_nos", phones)
	contact.save(ignore_permissions=True)  # made by this action; create permission was checked
	frappe.db.after_commit.add(functools.partial(_link_call_logs, contact.name))
	return contact


def _link_call_logs(contact: str) -> None:
	if frappe.db.exists("Contact", contact):  # not when the conversion was rolled back
		link_existing_conversations(frappe.get_doc("Contact", contact), None)


def link_to_lead(doc: Document, lead: Document) -> Document:
	"""Make an existing Contact or Customer the lead's own, the way ERPNext marks it when it
	creates them from the lead, so its own lookups (Customer.lead_name, contact links) find them."""
	if doc.doctype == "Contact":
		if not doc.has_link("Lead", lead.name):
			doc.append(
				"links", {"link_doctype": "Lead", "link_name": lead.name, "link_title": lead.lead_name}
			)
			doc.save(ignore_permissions=True)  # write permission was checked on the plan
	elif not doc.lead_name:

		def link(customer):
			customer.lead_name = lead.name
			# a link, which the conversion records itself: not ERPNext's "made from the lead"
			customer.flags.crm_lifecycle_edges_recorded = True

		doc = save_changes(doc.doctype, doc.name, link)
		doc.update_lead_status()
		doc.link_lead_address_and_contact()
	elif doc.lead_name != lead.name:
		adopt_repeat_lead(doc, lead)
	return doc


def adopt_repeat_lead(customer: Document, lead: Document) -> None:
	"""A repeat lead of an existing customer: the customer keeps its first lead; the new lead is
	marked "Converted" and its contacts and addresses become the customer's, as ERPNext does for
	the first one (Customer.update_lead_status, link_lead_address_and_contact)."""
	frappe.db.set_value("Lead", lead.name, "status", "Converted")  # recorded by note_source_status
	for doctype, name in links.records_of("Lead", lead.name, ("Contact", "Address")):
		record = frappe.get_doc(doctype, name)
		if not record.has_link("Customer", customer.name):
			record.append("links", {"link_doctype": "Customer", "link_name": customer.name})
			record.save()


def draft_of(doc: Document) -> core.Draft:
	items = doc.get("items") or []
	return core.Draft(
		doctype=doc.doctype,
		company=doc.get("company") or "",
		currency=doc.get("currency") or "",
		item_count=len(items),
		receivable_account=doc.get("debit_to") or "",
		rows_without_income_account=tuple(
			row.idx for row in items if doc.doctype == "Sales Invoice" and not row.get("income_account")
		),
	)


def load_source(doctype: str, name: str, for_update: bool = False) -> Source:
	fields = {
		"Lead": ["docstatus", "status"],
		"Opportunity": ["docstatus", "status", "opportunity_from as party_doctype", "party_name"],
		"Quotation": ["docstatus", "status", "quotation_to as party_doctype", "party_name"],
	}
	if doctype not in fields:
		fail(Problem("unsupported_source", (doctype,)))
	row = frappe.db.get_value(doctype, name, fields[doctype], as_dict=True, for_update=for_update)
	if not row:
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	lead = name if doctype == "Lead" else (row.party_name if row.party_doctype == "Lead" else None)
	items = 0
	if doctype != "Lead":
		items = frappe.db.count(f"{doctype} Item", {"parent": name, "parenttype": doctype})
	return Source(
		doctype=doctype,
		name=name,
		docstatus=row.docstatus,
		status=row.status or "",
		party_doctype=row.get("party_doctype") or ("Lead" if doctype == "Lead" else ""),
		party_name=row.get("party_name") or (name if doctype == "Lead" else ""),
		item_count=items,
		customer=lead_customer(lead) if lead else "",
		contact=links.first_contact_of("Lead", name) if doctype == "Lead" else "",
	)


def lead_customer(lead: str) -> str:
	"""The lead's Customer: the one made from it (ERPNext's `Customer.lead_name`), else the one a
	repeat lead was linked to (the customer keeps its first lead; the link is in the graph)."""
	return (
		frappe.db.get_value("Customer", {"lead_name": lead})
		or dependencies.linked_to("Lead", lead, "Customer")
		or ""
	)


def load_linked(doctype: str, name: str) -> Linked:
	if doctype not in ("Contact", "Customer"):
		fail(Problem("not_linkable", (doctype, "Lead")))
	if not frappe.db.exists(doctype, name):
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	lead = frappe.db.get_value("Customer", name, "lead_name") if doctype == "Customer" else ""
	return Linked(doctype, name, lead or "")
