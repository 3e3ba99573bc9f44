frappe.ui.form.on("Contact", {
	refresh(frm) {
		crm_lifecycle.party.refresh(frm);
	},
});
