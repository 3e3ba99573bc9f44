frappe.ui.form.on("Customer", {
	refresh(frm) {
		crm_lifecycle.party.refresh(frm);
		if (!frm.is_new()) {
			frm.page.add_menu_item(__("Release All Held Invoices"), () =>
				frappe.call({
					method: `${crm_lifecycle.API.invoice_hold}.release_customer_invoices`,
					args: { customer: frm.docname },
					freeze: true,
					callback: (r) =>
						frappe.show_alert({
							message: __("{0} invoices released", [r.message.released.length]),
							indicator: "green",
						}),
				})
			);
		}
	},
});
