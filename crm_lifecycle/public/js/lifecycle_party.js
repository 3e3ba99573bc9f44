// Deactivate / reactivate a Customer or Contact from its form. UX only: the server decides.
frappe.provide("crm_lifecycle.party");

crm_lifecycle.party.API = crm_lifecycle.API.deactivation;

crm_lifecycle.party.refresh = function (frm) {
	if (frm.is_new()) return;
	if (frm.doc.crm_active) {
		// the form keeps its headline across reloads: drop a stale "Deactivated by" banner
		crm_lifecycle.clear_banner(frm, "deactivated");
		frm.page.add_menu_item(__("Deactivate"), () => crm_lifecycle.party.deactivate(frm));
		return;
	}
	frm.page.add_menu_item(__("Reactivate"), () => crm_lifecycle.party.reactivate(frm));
	// who, when and why come with the document (the Lifecycle Event log, sent on load)
	const event = ((frm.doc.__onload || {}).crm_lifecycle_events || {}).deactivated;
	let message = __("Deactivated");
	if (event) {
		message = __("Deactivated by {0} on {1}", [
			crm_lifecycle.esc(event.by_name || event.by),
			frappe.datetime.str_to_user(event.on),
		]);
		if (event.reason) message += ": " + crm_lifecycle.esc(event.reason);
	}
	crm_lifecycle.banner(frm, "deactivated", message, "orange");
};

crm_lifecycle.party.deactivate = function (frm) {
	frappe.call({
		method: `${crm_lifecycle.party.API}.preview`,
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => crm_lifecycle.party.deactivation_dialog(frm, r.message),
	});
};

crm_lifecycle.party.deactivation_dialog = function (frm, preview) {
	const fields = [];
	if (preview.needs_decision) {
		const totals = Object.entries(preview.outstanding_by_currency)
			.map(([currency, amount]) => format_currency(amount, currency))
			.join(", ");
		fields.push({
			fieldtype: "HTML",
			options: `<p>${__("{0} open invoices ({1} not yet on hold), outstanding {2}", [
				preview.open_invoices,
				preview.invoices_to_hold,
				totals || "0",
			])}${
				preview.hidden_invoices
					? " " + __("({0} of them you may not read are not in the total)", [preview.hidden_invoices])
					: ""
			}</p><p>${__("{0} running subscriptions or auto repeats", [preview.running_schedules])}</p>`,
		});
		if (preview.invoices_to_hold) {
			fields.push(
				{
					fieldname: "hold_invoices",
					fieldtype: "Check",
					label: __("Put open invoices on hold"),
					description: __("No dunning, notification or payment reminder for them"),
				},
				{
					fieldname: "held_until",
					fieldtype: "Date",
					label: __("Held Until"),
					depends_on: "hold_invoices",
				}
			);
		}
		if (preview.running_schedules) {
			fields.push({
				fieldname: "cancel_subscriptions",
				fieldtype: "Check",
				label: __("Cancel subscriptions"),
				description: __("Irreversible: reactivating does not bring them back"),
			});
		}
	}
	fields.push({ fieldname: "reason", fieldtype: "Small Text", label: __("Reason") });

	const dialog = new frappe.ui.Dialog({
		title: __("Deactivate {0}", [__(frm.doctype)]),
		fields: fields,
		primary_action_label: __("Deactivate"),
		primary_action(values) {
			frappe.call({
				method: `${crm_lifecycle.party.API}.deactivate`,
				args: {
					doctype: frm.doctype,
					name: frm.docname,
					hold_invoices: values.hold_invoices ? 1 : 0,
					cancel_subscriptions: values.cancel_subscriptions ? 1 : 0,
					reason: values.reason,
					held_until: values.held_until,
				},
				freeze: true,
				callback: () => {
					dialog.hide();
					frm.reload_doc();
				},
			});
		},
	});
	dialog.show();
};

crm_lifecycle.party.reactivate = function (frm) {
	frappe.confirm(__("Reactivate {0}? Invoices on hold stay on hold.", [frm.docname]), () =>
		frappe.call({
			method: `${crm_lifecycle.party.API}.reactivate`,
			args: { doctype: frm.doctype, name: frm.docname },
			freeze: true,
			callback: () => frm.reload_doc(),
		})
	);
};

// List views: an "Inactive" indicator and a bulk "Deactivate" action run as a background job.
crm_lifecycle.party.extend_list = function (doctype) {
	crm_lifecycle.extend_list(doctype, "party", (settings) => {
		crm_lifecycle.indicator(settings, ["crm_active"], (doc) =>
			doc.crm_active === 0 ? [__("Inactive"), "gray", "crm_active,=,0"] : null
		);
		crm_lifecycle.after(settings, "onload", (listview) =>
			listview.page.add_actions_menu_item(__("Deactivate"), () =>
				crm_lifecycle.party.bulk_deactivate(listview)
			)
		);
	});
};

crm_lifecycle.party.bulk_deactivate = function (listview) {
	const names = listview.get_checked_items(true);
	if (!names.length) return frappe.msgprint(__("Select the records to deactivate."));
	const dialog = new frappe.ui.Dialog({
		title: __("Deactivate {0} records", [names.length]),
		fields: [
			{ fieldname: "hold_invoices", fieldtype: "Check", label: __("Put open invoices on hold") },
			{
				fieldname: "cancel_subscriptions",
				fieldtype: "Check",
				label: __("Cancel subscriptions"),
				description: __("Irreversible: reactivating does not bring them back"),
			},
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason") },
		],
		primary_action_label: __("Deactivate"),
		primary_action(values) {
			dialog.hide();
			frappe.realtime.off("crm_lifecycle_bulk_done");
			frappe.realtime.on("crm_lifecycle_bulk_done", (data) => {
				frappe.hide_progress();
				const failed = data.results.filter((row) => !row.ok).length;
				crm_lifecycle.show_bulk_results({
					title: __("Deactivation finished"),
					summary: __("{0} deactivated, {1} refused", [data.results.length - failed, failed]),
					results: data.results,
					refused_label: __("Refused:"),
				});
				listview.refresh();
			});
			frappe.call({
				method: `${crm_lifecycle.party.API}.deactivate_many`,
				args: {
					doctype: listview.doctype,
					names: names,
					hold_invoices: values.hold_invoices ? 1 : 0,
					cancel_subscriptions: values.cancel_subscriptions ? 1 : 0,
					reason: values.reason,
				},
				callback: () =>
					frappe.show_alert({
						message: __("Deactivation of {0} records started in the background", [names.length]),
						indicator: "blue",
					}),
			});
		},
	});
	dialog.show();
};
