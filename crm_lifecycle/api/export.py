"""REST: export customers and contacts as one vCard file.

GET/POST /api/method/crm_lifecycle.api.export.vcard  doctype, names (JSON list)[, with_contacts]
The "Customer Sheet" PDF needs no method of ours: Frappe's own /api/method/frappe.utils.print_format.download_pdf.
"""

import re

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import export


@frappe.whitelist(methods=["GET", "POST"])
def vcard(doctype: str, names: str | list, with_contacts: int = 0) -> str:
	"""The selected Customers (organisation cards, optionally followed by their contacts) or
	Contacts (person cards) as one .vcf download; in-process callers get the text back."""
	params.doctype(doctype)
	names = params.name_list(names, allow_single=True)
	export.check_names(doctype, names)
	for name in names:
		params.existing(doctype, name)
		frappe.has_permission(doctype, "read", name, throw=True)
	text = export.vcard(doctype, names, params.flag(with_contacts, "with_contacts"))
	frappe.response["type"] = "download"
	stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", names[0]).strip("-.") if len(names) == 1 else ""
	frappe.response["filename"] = f"{stem or frappe.scrub(doctype) + 's'}.vcf"
	frappe.response["filecontent"] = text.encode("utf-8")
	frappe.response["content_type"] = "text/vcard; charset=utf-8"
	return text
