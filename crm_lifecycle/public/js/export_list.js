// Customer and Contact lists: the selected records as one vCard file.
for (const doctype of ["Customer", "Contact"]) {
	crm_lifecycle.extend_list(doctype, "vcard", (settings) =>
		crm_lifecycle.after(settings, "onload", (listview) => {
			const download = (with_contacts) => {
				const names = listview.get_checked_items(true);
				if (!names.length) return frappe.msgprint(__("Select the records to export."));
				crm_lifecycle.download_vcard(doctype, names, with_contacts);
			};
			listview.page.add_actions_menu_item(__("Export vCard"), () => download(false));
			if (doctype === "Customer") {
				listview.page.add_actions_menu_item(__("Export vCard with Contacts"), () => download(true));
			}
		})
	);
}
