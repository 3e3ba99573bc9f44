"""Which documents each of the app's own records names: a record is for those who may read them."""

from typing import NamedTuple


class Reference(NamedTuple):
	name_field: str
	doctype_field: str | None = None  # a Dynamic Link's doctype field ...
	doctype: str | None = None  # ... or the one doctype of a Link
	among: tuple[str, ...] = ()  # the doctypes a Dynamic Link may name, where they are fixed


REFERENCES: dict[str, tuple[Reference, ...]] = {
	"Lifecycle Lock": (Reference("reference_name", "reference_doctype"),),
	"Lifecycle Lock Log": (Reference("reference_name", "reference_doctype"),),
	"Lifecycle Event": (Reference("reference_name", "reference_doctype"),),
	"Lifecycle Document Link": (
		Reference("source_name", "source_doctype"),
		Reference("target_name", "target_doctype"),
	),
	# its customer link is narrowed by Frappe's User Permissions; the invoice may be narrowed by more
	"Lifecycle Payment Reminder": (Reference("sales_invoice", doctype="Sales Invoice"),),
	# A child table's rows are listed (frappe.client.get_list with `parent`) by whoever may read
	# one document of a doctype holding it: every Contact's portal switches would be open to
	# anyone who reads a single contact (portal users read the contacts they own).
	"Lifecycle Portal Access": (
		Reference(
			"parent", "parenttype", among=("CRM Lifecycle Settings", "Contact", "Lifecycle Portal Template")
		),
	),
}
