// Customer and Contact forms: download the record as a vCard (the PDF is Frappe's own Print menu
// with the "Customer Sheet" print format).
crm_lifecycle.once("export_form", () => {
	// this file is part of the form script of each doctype; register once for all of them
	for (const doctype of ["Customer", "Contact"]) {
		frappe.ui.form.on(doctype, {
			refresh(frm) {
				if (frm.is_new()) return;
				frm.page.add_menu_item(__("Download vCard"), () =>
					crm_lifecycle.download_vcard(frm.doctype, [frm.docname], false)
				);
				if (frm.doctype === "Customer") {
					frm.page.add_menu_item(__("Download vCard with Contacts"), () =>
						crm_lifecycle.download_vcard(frm.doctype, [frm.docname], true)
					);
				}
			},
		});
	}
});
