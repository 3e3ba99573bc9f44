// Customer and Contact forms: download the record as a vCard (the PDF is Frappe's own Print menu
// with the "Customer Sheet" print format).
frappe.provide("crm_lifecycle.export");

crm_lifecycle.export.vcard = function (doctype, names, with_contacts) {
	open_url_post("/api/method/crm_lifecycle.api.export.vcard", {
		doctype: doctype,
		names: JSON.stringify(names),
		with_contacts: with_contacts ? 1 : 0,
	});
};

crm_lifecycle.export.refresh = function (frm) {
	if (frm.is_new()) return;
	frm.page.add_menu_item(__("Download vCard"), () =>
		crm_lifecycle.export.vcard(frm.doctype, [frm.docname], false)
	);
	if (frm.doctype === "Customer") {
		frm.page.add_menu_item(__("Download vCard with Contacts"), () =>
			crm_lifecycle.export.vcard(frm.doctype, [frm.docname], true)
		);
	}
};

if (!crm_lifecycle.export.registered) {
	// this file is part of the form script of each doctype; register once for all of them
	crm_lifecycle.export.registered = true;
	for (const doctype of ["Customer", "Contact"]) {
		frappe.ui.form.on(doctype, { refresh: (frm) => crm_lifecycle.export.refresh(frm) });
	}
}
