// "On Hold" indicator and a bulk release of the reminder hold.
(function () {
	const settings = (frappe.listview_settings["Sales Invoice"] =
		frappe.listview_settings["Sales Invoice"] || {});
	settings.add_fields = [...(settings.add_fields || []), "crm_reminders_on_hold"];
	const previous_indicator = settings.get_indicator;
	settings.get_indicator = function (doc) {
		if (doc.crm_reminders_on_hold) {
			return [__("On Hold"), "orange", "crm_reminders_on_hold,=,1"];
		}
		return previous_indicator ? previous_indicator(doc) : null;
	};
	const previous_onload = settings.onload;
	settings.onload = function (listview) {
		if (previous_onload) previous_onload(listview);
		listview.page.add_actions_menu_item(__("Release Reminder Hold"), () => {
			const names = listview.get_checked_items(true);
			if (!names.length) return frappe.msgprint(__("Select the invoices to release."));
			frappe.call({
				method: "crm_lifecycle.api.invoice_hold.release_invoices",
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
		});
	};
})();
