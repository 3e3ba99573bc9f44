"""Which portal sections a customer's contact may see, and which e-mails it receives.

Access resolves per area, most specific first: the contact's own override, the template of
the customer's Customer Group, the site default, and finally "everything allowed, every e-mail
on" (so installing the app changes nothing until someone restricts a contact).
"""

from dataclasses import dataclass
from enum import Enum

from crm_lifecycle.core.refusal import Refused


@dataclass(frozen=True)
class Area:
	name: str
	doctypes: tuple[str, ...] = ()  # what "view" covers in the portal
	view: bool = True  # has a view switch
	email: bool = True  # has an e-mail switch


AREAS: tuple[Area, ...] = (
	Area("Invoices", ("Sales Invoice",)),
	Area("Credit Notes", ("Sales Invoice",)),
	Area("Quotations", ("Quotation",)),
	Area("Orders", ("Sales Order",)),
	Area("Deliveries", ("Delivery Note",), email=False),
	Area("Projects", ("Project", "Task", "Timesheet")),
	Area("Tasks", view=False),
	Area("Support", ("Issue",)),
	Area("Contracts", ("Contract",)),
	Area("Payment Reminders", view=False),
)
AREA_BY_NAME = {area.name: area for area in AREAS}
SECTION_DOCTYPES = tuple(sorted({doctype for area in AREAS for doctype in area.doctypes}))
# The section doctypes ERPNext itself opens to the web (its own has_website_permission hooks);
# Task and Contract are not among them, so Frappe keeps them off the web and so must we.
WEB_DOCTYPES = ("Sales Invoice", "Quotation", "Sales Order", "Delivery Note", "Project", "Timesheet", "Issue")
EMAIL_KINDS = {
	"Quotation": "Quotations",
	"Sales Order": "Orders",
	"Project": "Projects",
	"Task": "Tasks",
	"Issue": "Support",
	"Contract": "Contracts",
}


class Source(str, Enum):
	CONTACT = "contact"
	CUSTOMER_GROUP = "customer group"
	DEFAULT = "default"


@dataclass(frozen=True)
class Grant:
	view: bool
	email: bool
	source: Source = Source.DEFAULT


class InvalidAccess(Refused):
	"""Bad input for set_access: the services layer turns it into a translated 417."""

	def __init__(self, reason: str, value: str):
		super().__init__(reason, value)
		self.reason = reason
		self.value = value


Rows = dict[str, tuple[bool, bool]]  # area -> (view, email)


def view_area(doctype: str, is_return: bool = False) -> str | None:
	"""The portal section a document belongs to, or None when the app does not govern it."""
	if doctype == "Sales Invoice":
		return "Credit Notes" if is_return else "Invoices"
	for area in AREAS:
		if area.view and doctype in area.doctypes:
			return area.name
	return None


def email_kind(doctype: str, is_return: bool = False) -> str | None:
	if doctype == "Sales Invoice":
		return "Credit Notes" if is_return else "Invoices"
	return EMAIL_KINDS.get(doctype)


def effective(default: Rows, group: Rows | None, contact: Rows | None) -> dict[str, Grant]:
	layers = (
		(contact or {}, Source.CONTACT),
		(group or {}, Source.CUSTOMER_GROUP),
		(default, Source.DEFAULT),
	)
	grants = {}
	for area in AREAS:
		for rows, source in layers:
			if area.name in rows:
				view, email = rows[area.name]
				grants[area.name] = Grant(
					view=bool(view) and area.view, email=bool(email) and area.email, source=source
				)
				break
		else:
			grants[area.name] = Grant(view=area.view, email=area.email)
	return grants


def parse_access(access: dict) -> Rows:
	"""Validate an access object such as {"Invoices": {"view": 1, "email": 0}}."""
	if not isinstance(access, dict):
		raise InvalidAccess("not_an_object", type(access).__name__)
	rows: Rows = {}
	for name, switches in access.items():
		area = AREA_BY_NAME.get(name)
		if area is None:
			raise InvalidAccess("unknown_section", str(name))
		if not isinstance(switches, dict) or not set(switches) <= {"view", "email"}:
			raise InvalidAccess("bad_switches", str(name))
		view = _switch(switches.get("view", area.view), name)
		email = _switch(switches.get("email", area.email), name)
		if view and not area.view:
			raise InvalidAccess("no_view_switch", name)
		if email and not area.email:
			raise InvalidAccess("no_email_switch", name)
		rows[name] = (view, email)
	return rows


def _switch(value, section: str) -> bool:
	"""0 / 1 (also booleans and "0" / "1" as forms send them); anything else is refused."""
	if isinstance(value, bool) or value in (0, 1):
		return bool(value)
	if isinstance(value, str) and value.strip() in ("0", "1"):
		return value.strip() == "1"
	raise InvalidAccess("bad_value", section)


def strictest(grants: list[dict[str, Grant]]) -> dict[str, Grant]:
	"""Several contacts of one user for the same customer: only what all of them allow."""
	return {
		name: Grant(
			view=all(g[name].view for g in grants),
			email=all(g[name].email for g in grants),
			source=grants[0][name].source,
		)
		for name in grants[0]
	}


def can_view(access_by_customer: dict[str, dict[str, Grant]], area: str, customer: str | None) -> bool:
	"""A portal user sees a document when the contact linking it to the document's customer may."""
	grants = access_by_customer.get(customer or "")
	return bool(grants and grants[area].view)


def customers_allowed(access_by_customer: dict[str, dict[str, Grant]], area: str) -> list[str]:
	return sorted(customer for customer, grants in access_by_customer.items() if grants[area].view)
