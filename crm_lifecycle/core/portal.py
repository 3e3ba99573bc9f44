"""Which portal sections a customer's contact may see, and which e-mails it receives.

Access resolves per area and per switch ("sees in portal", "gets e-mails"), most specific first:
the contact's own override, the template of the customer's Customer Group, the site default, and
finally "everything allowed, every e-mail on" (so installing the app changes nothing until someone
restricts a contact). A row may decide one switch and leave the other to the layers below
(`None`): a contact that switches off an e-mail does not pin what it may see.
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


SOURCE_ORDER = (Source.CONTACT, Source.CUSTOMER_GROUP, Source.DEFAULT)


@dataclass(frozen=True)
class Grant:
	view: bool
	email: bool
	source: Source = Source.DEFAULT  # the most specific layer that decides either switch
	view_source: Source = Source.DEFAULT
	email_source: Source = Source.DEFAULT


class InvalidAccess(Refused):
	"""Bad input for set_access: the services layer turns it into a translated 417."""

	def __init__(self, reason: str, value: str):
		super().__init__(reason, value)
		self.reason = reason
		self.value = value


Switch = bool | None  # None: this layer leaves the switch to the layers below
Rows = dict[str, tuple[Switch, Switch]]  # area -> (view, email)
KEEP = "keep"  # parse_access: a switch not named keeps the contact's current setting


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
		decided = []
		for index, capable in ((0, area.view), (1, area.email)):
			value, source = capable, Source.DEFAULT
			for rows, layer in layers:
				switch = rows.get(area.name, (None, None))[index]
				if switch is not None:
					value, source = bool(switch), layer
					break
			decided.append((bool(value) and capable, source))
		(view, view_source), (email, email_source) = decided
		grants[area.name] = Grant(
			view=view,
			email=email,
			source=min(view_source, email_source, key=SOURCE_ORDER.index),
			view_source=view_source,
			email_source=email_source,
		)
	return grants


def parse_access(access: dict) -> dict[str, tuple]:
	"""Validate an access object such as {"Invoices": {"view": 1, "email": 0}}: 0 / 1 decide a
	switch, null leaves it to the customer group's template and the default, a switch not named
	keeps its current setting (KEEP)."""
	if not isinstance(access, dict):
		raise InvalidAccess("not_an_object", type(access).__name__)
	rows = {}
	for name, switches in access.items():
		area = AREA_BY_NAME.get(name)
		if area is None:
			raise InvalidAccess("unknown_section", str(name))
		if not isinstance(switches, dict) or not set(switches) <= {"view", "email"}:
			raise InvalidAccess("bad_switches", str(name))
		view = _switch(switches["view"], name) if "view" in switches else KEEP
		email = _switch(switches["email"], name) if "email" in switches else KEEP
		if view is True and not area.view:
			raise InvalidAccess("no_view_switch", name)
		if email is True and not area.email:
			raise InvalidAccess("no_email_switch", name)
		rows[name] = (view, email)
	return rows


def merge(current: tuple[Switch, Switch] | None, requested: tuple) -> tuple[Switch, Switch] | None:
	"""A contact's row after a change: KEEP takes the current switch; None when the row decides
	nothing any more (and can go)."""
	current = current or (None, None)
	row = tuple(old if new == KEEP else new for old, new in zip(current, requested, strict=True))
	return None if row == (None, None) else row


def _switch(value, section: str) -> Switch:
	"""0 / 1 (also booleans and "0" / "1" as forms send them), None to inherit; else refused."""
	if value is None:
		return None
	if isinstance(value, bool) or value in (0, 1):
		return bool(value)
	if isinstance(value, str) and value.strip() in ("0", "1"):
		return value.strip() == "1"
	raise InvalidAccess("bad_value", section)


def may_opt_in(area_name: str, default: Rows, group: Rows | None, contact: Rows | None, own: bool) -> bool:
	"""Whether a contact may switch this e-mail on itself (portal page "E-mail Preferences"): only
	what its company allows. The customer group's template and the default must send it, no
	colleague may have switched it off for the contact (`own`: the contact's row was set by the
	contact), and the contact must see the section the e-mails are about."""
	area = AREA_BY_NAME[area_name]
	if not area.email:
		return False
	if not effective(default, group, None)[area_name].email:
		return False
	row = (contact or {}).get(area_name, (None, None))
	if row[1] is False and not own:
		return False
	return not area.view or effective(default, group, contact)[area_name].view


def strictest(grants: list[dict[str, Grant]]) -> dict[str, Grant]:
	"""Several contacts of one user for the same customer: only what all of them allow."""
	return {
		name: Grant(
			view=all(g[name].view for g in grants),
			email=all(g[name].email for g in grants),
			source=grants[0][name].source,
			view_source=grants[0][name].view_source,
			email_source=grants[0][name].email_source,
		)
		for name in grants[0]
	}


def can_view(access_by_customer: dict[str, dict[str, Grant]], area: str, customer: str | None) -> bool:
	"""A portal user sees a document when the contact linking it to the document's customer may."""
	grants = access_by_customer.get(customer or "")
	return bool(grants and grants[area].view)


def customers_allowed(access_by_customer: dict[str, dict[str, Grant]], area: str) -> list[str]:
	return sorted(customer for customer, grants in access_by_customer.items() if grants[area].view)
