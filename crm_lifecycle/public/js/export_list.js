// Customer and Contact lists: the selected records as one vCard file.
frappe.provide("crm_lifecycle.export");

crm_lifecycle.export.extend_list = function (doctype) {
	const settings = (frappe.listview_settings[doctype] = frappe.listview_settings[doctype] || {});
	if (settings.crm_lifecycle_vcard) return; // both lists load this file
	settings.crm_lifecycle_vcard = true;
	const previous_onload = settings.onload;
	settings.onload = function (listview) {
		if (previous_onload) previous_onload(listview);
		const download = (with_contacts) => {
			const names = listview.get_checked_items(true);
			if (!names.length) return frappe.msgprint(__("Select the records to export."));
			open_url_post("/api/method/crm_lifecycle.api.export.vcard", {
				doctype: doctype,
				names: JSON.stringify(names),
				with_contacts: with_contacts ? 1 : 0,
			});
		};
		listview.page.add_actions_menu_item(__("Export vCard"), () => download(false));
		if (doctype === "Customer") {
			listview.page.add_actions_menu_item(__("Export vCard with Contacts"), () => download(true));
		}
	};
};

crm_lifecycle.export.extend_list("Customer");
crm_lifecycle.export.extend_list("Contact");
