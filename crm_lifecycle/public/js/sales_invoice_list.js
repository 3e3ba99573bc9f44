// "On Hold" indicator and a bulk release of the reminder hold.
crm_lifecycle.extend_list("Sales Invoice", "invoice_hold", (settings) => {
	crm_lifecycle.indicator(settings, ["crm_reminders_on_hold"], (doc) =>
		doc.crm_reminders_on_hold ? [__("On Hold"), "orange", "crm_reminders_on_hold,=,1"] : null
	);
	crm_lifecycle.after(settings, "onload", (listview) =>
		listview.page.add_actions_menu_item(__("Release Reminder Hold"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return frappe.msgprint(__("Select the invoices to release."));
			frappe.call({
				method: `${crm_lifecycle.API.invoice_hold}.release_invoices`,
				args: { invoices: names },
				freeze: true,
				callback: (r) => {
					frappe.msgprint(
						__("{0} released, {1} were not on hold", [
							r.message.released.length,
							r.message.not_held.length,
						])
					);
					listview.refresh();
				},
			});
		})
	);
});
