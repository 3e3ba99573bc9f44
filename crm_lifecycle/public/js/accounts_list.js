// Customer list: ready views ("CRM Views" in the sidebar; the CRM Lifecycle workspace opens
// them as /app/customer?crm_view=...), an A-Z quick filter, and the bulk actions "Transfer
// Owner" and "Delete with Report". UX only: the server computes the views and enforces every rule.
//
// Extends (never replaces) the Customer listview_settings other scripts set up before.
frappe.provide("crm_lifecycle.accounts");

(function (acc) {
	acc.API = crm_lifecycle.API.accounts;
	acc.DONE_EVENT = "crm_lifecycle_transfer_done";
	acc.VIEWS = [
		["my_accounts", __("My Accounts")],
		["new_this_week", __("New This Week")],
		["new_last_week", __("New Last Week")],
		["unread", __("Unread")],
		["recently_viewed", __("Recently Viewed")],
		["deactivated", __("Deactivated")],
		["invalid", __("Invalid")],
	];
	const esc = crm_lifecycle.esc;

	crm_lifecycle.extend_list("Customer", "accounts", (settings) => {
		crm_lifecycle.after(settings, "onload", (listview) => acc.setup(listview));
		crm_lifecycle.after(settings, "refresh", (listview) => acc.mark_active(listview));
	});

	acc.setup = function (listview) {
		acc.add_sidebar(listview);
		acc.add_letters(listview);
		listview.page.add_actions_menu_item(__("Transfer Owner"), () => acc.transfer_dialog(listview));
		listview.page.add_actions_menu_item(__("Delete with Report"), () => acc.delete_with_report(listview));

		// A view asked for in the URL (?crm_view=...): every time the list is shown, not only the first.
		const before_refresh = listview.before_refresh.bind(listview);
		listview.before_refresh = function () {
			const options = frappe.route_options;
			const requested = options && options.crm_view;
			if (requested) {
				delete options.crm_view;
				if (!Object.keys(options).length) frappe.route_options = null;
			}
			return Promise.resolve(before_refresh()).then(() => requested && acc.apply_view(listview, requested));
		};
		// Recently Viewed lists the records in the order they were opened, newest first.
		const prepare_data = listview.prepare_data.bind(listview);
		listview.prepare_data = function (r) {
			prepare_data(r);
			const order = acc.is_active(listview) && listview.crm_view.order;
			if (order) listview.data.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
		};
	};

	// Views ------------------------------------------------------------------------------------

	acc.add_sidebar = function (listview) {
		const sidebar = listview.list_sidebar && listview.list_sidebar.sidebar;
		if (!sidebar || sidebar.find(".crm-views-section").length) return;
		const section = $(`<div class="sidebar-section crm-views-section">
			<li class="sidebar-label">${__("CRM Views")}</li>
		</div>`);
		acc.VIEWS.forEach(([key, label]) => {
			$(`<li class="list-link crm-view-link" data-view="${key}">
				<a class="btn btn-default btn-sm list-sidebar-button ellipsis" href="#">${esc(label)}</a>
			</li>`)
				.on("click", (event) => {
					event.preventDefault();
					acc.apply_view(listview, key);
				})
				.appendTo(section);
		});
		const filters = sidebar.find(".filter-section").first();
		filters.length ? section.insertBefore(filters) : section.appendTo(sidebar.find(".sidebar-menu").last());
	};

	acc.apply_view = function (listview, key) {
		return frappe
			.call({ method: `${acc.API}.view`, args: { view: key }, type: "GET" })
			.then((r) => {
				const view = r.message;
				const filter_area = listview.filter_area;
				listview.crm_view = view;
				// Frappe's standard filter fields drop falsy values (crm_active = 0): use the filter list
				return filter_area
					.clear(false)
					.then(() => view.filters.length && filter_area.filter_list.add_filters(view.filters))
					.then(() => {
						filter_area.filter_list.update_filter_button();
						listview.start = 0;
						return listview.refresh();
					})
					.then(() => acc.mark_active(listview));
			});
	};

	acc.is_active = function (listview) {
		const view = listview.crm_view;
		if (!view || !listview.filter_area) return false;
		// the filter list capitalises some conditions ("between" -> "Between")
		const key = (f) => JSON.stringify([f[0], f[1], String(f[2]).toLowerCase(), f[3]]);
		const current = listview.filter_area.get().map(key);
		return view.filters.every((f) => current.includes(key(f)));
	};

	acc.mark_active = function (listview) {
		const sidebar = listview.list_sidebar && listview.list_sidebar.sidebar;
		if (!sidebar) return;
		if (!acc.is_active(listview)) listview.crm_view = null;
		const active = listview.crm_view && listview.crm_view.view;
		sidebar.find(".crm-view-link").each(function () {
			const on = $(this).attr("data-view") === active;
			$(this).find("a").toggleClass("btn-primary", on).css("font-weight", on ? "600" : "");
		});
		acc.mark_letter(listview);
	};

	// A-Z -------------------------------------------------------------------------------------

	acc.add_letters = function (listview) {
		if (!listview.$frappe_list || listview.$frappe_list.find(".crm-az-filter").length) return;
		const bar = $(`<div class="crm-az-filter flex flex-wrap"
			style="gap: 2px; padding: var(--padding-sm) var(--padding-md) 0;"></div>`);
		["", ..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].forEach((letter) => {
			$(`<button class="btn btn-xs btn-default crm-az-letter"></button>`)
				.attr("data-letter", letter)
				.text(letter || __("All"))
				.on("click", () => acc.filter_letter(listview, letter))
				.appendTo(bar);
		});
		listview.$frappe_list.prepend(bar);
	};

	acc.filter_letter = function (listview, letter) {
		const value = letter ? `${letter}%` : "";
		const field = listview.page.fields_dict.customer_name;
		if (field) return field.set_value(value); // the list refreshes on change
		listview.filter_area.remove("customer_name");
		if (value) listview.filter_area.add([["Customer", "customer_name", "like", value]]);
	};

	acc.mark_letter = function (listview) {
		const filter = listview.filter_area.get().find((f) => f[1] === "customer_name" && f[2] === "like");
		const match = filter && /^([A-Z])%$/i.exec(filter[3]);
		const active = match ? match[1].toUpperCase() : filter ? null : "";
		listview.$frappe_list.find(".crm-az-letter").each(function () {
			$(this).toggleClass("btn-primary", $(this).attr("data-letter") === active);
		});
	};

	// Transfer Owner --------------------------------------------------------------------------

	acc.transfer_dialog = function (listview) {
		const names = listview.get_checked_items(true);
		if (!names.length) return frappe.msgprint(__("Select the customers to transfer."));
		const dialog = new frappe.ui.Dialog({
			title: __("Transfer {0} customers", [names.length]),
			fields: [
				{
					fieldname: "new_owner",
					fieldtype: "Link",
					options: "User",
					label: __("New Account Owner"),
					reqd: 1,
				},
				{
					fieldname: "include_open_documents",
					fieldtype: "Check",
					label: __("Also move open Opportunities, Quotations and assignments"),
					description: __("Those of the previous owner; records you may not change are reported"),
				},
			],
			primary_action_label: __("Transfer"),
			primary_action(values) {
				dialog.hide();
				acc.listen_for_job(listview);
				frappe.call({
					method: `${acc.API}.transfer`,
					args: {
						names: JSON.stringify(names),
						new_owner: values.new_owner,
						include_open_documents: values.include_open_documents ? 1 : 0,
					},
					freeze: true,
					callback: (r) => {
						if (r.message.queued) {
							frappe.show_alert({
								message: __("Transfer of {0} customers started in the background", [r.message.count]),
								indicator: "blue",
							});
						} else {
							acc.show_transfer_result(listview, r.message);
						}
					},
				});
			},
		});
		dialog.show();
	};

	acc.listen_for_job = function (listview) {
		frappe.realtime.off(acc.DONE_EVENT);
		frappe.realtime.on(acc.DONE_EVENT, (data) => {
			frappe.realtime.off(acc.DONE_EVENT);
			frappe.hide_progress();
			if (data.error) {
				frappe.msgprint({ title: __("Transfer failed"), indicator: "red", message: esc(data.error) });
				return;
			}
			acc.show_transfer_result(listview, data);
		});
	};

	acc.show_transfer_result = function (listview, result) {
		const refused = result.results.filter((row) => !row.ok);
		const rows = refused
			.map((row) => `<li>${esc(row.name)}: ${esc(row.error)}</li>`)
			.concat(result.refused_documents.map((d) => `<li>${esc(__(d.doctype))} ${esc(d.name)}: ${esc(d.error)}</li>`))
			.join("");
		frappe.msgprint({
			title: __("Transfer finished"),
			indicator: rows ? "orange" : "green",
			message:
				`<p class="crm-transfer-summary">${__(
					"{0} transferred to {1}, {2} already theirs, {3} refused; {4} open documents and {5} assignments moved.",
					[
						result.moved,
						esc(frappe.user.full_name(result.new_owner)),
						result.unchanged,
						result.refused,
						result.documents_moved,
						result.assignments_moved + result.assignments_closed,
					]
				)}</p>` + (rows ? `<p>${__("Not moved:")}</p><ul>${rows}</ul>` : ""),
		});
		listview.refresh();
	};

	// Delete with Report ----------------------------------------------------------------------

	acc.delete_with_report = function (listview) {
		const names = listview.get_checked_items(true);
		if (!names.length) return frappe.msgprint(__("Select the customers to delete."));
		frappe
			.call({ method: `${acc.API}.delete_report`, args: { names: JSON.stringify(names) }, freeze: true })
			.then((r) => acc.delete_dialog(listview, r.message));
	};

	acc.blocked_table = function (blocked) {
		const links = (row) =>
			row.links
				.map((l) => `${esc(__(l.doctype))} (${l.count}${l.names.length ? ": " + l.names.map(esc).join(", ") : ""})`)
				.join("; ");
		return `<table class="table table-bordered small"><tr><th>${__("Customer")}</th><th>${__(
			"Blocked by"
		)}</th></tr>${blocked.map((row) => `<tr><td>${esc(row.name)}</td><td>${links(row)}</td></tr>`).join("")}</table>`;
	};

	acc.delete_dialog = function (listview, report) {
		let html = `<p>${__("{0} can be deleted, {1} are blocked by documents linking to them.", [
			report.deletable.length,
			report.blocked.length,
		])}</p>`;
		if (report.blocked.length) html += acc.blocked_table(report.blocked);
		if (report.refused.length) {
			html += `<ul>${report.refused.map((row) => `<li>${esc(row.name)}: ${esc(row.error)}</li>`).join("")}</ul>`;
		}
		const dialog = new frappe.ui.Dialog({
			title: __("Delete with Report"),
			size: "large",
			fields: [{ fieldtype: "HTML", options: html }],
		});
		const done = (title, r, count) => {
			dialog.hide();
			const failed = r.message.results.filter((row) => !row.ok).length;
			crm_lifecycle.show_bulk_results({
				title: title,
				summary: __("{0} done, {1} failed", [count, failed]),
				results: r.message.results,
				refused_label: __("Failed:"),
			});
			listview.refresh();
		};
		if (report.deletable.length) {
			dialog.set_primary_action(__("Delete {0} Unblocked", [report.deletable.length]), () =>
				frappe
					.call({ method: `${acc.API}.delete`, args: { names: JSON.stringify(report.deletable) }, freeze: true })
					.then((r) => done(__("Deleted"), r, r.message.deleted))
			);
		}
		const invalidatable = report.blocked.filter((row) => row.can_invalidate).map((row) => row.name);
		if (invalidatable.length) {
			dialog.set_secondary_action_label(__("Invalidate {0} Blocked Instead", [invalidatable.length]));
			dialog.set_secondary_action(() =>
				frappe
					.call({ method: `${acc.API}.invalidate`, args: { names: JSON.stringify(invalidatable) }, freeze: true })
					.then((r) => done(__("Invalidated"), r, r.message.invalidated))
			);
		}
		dialog.show();
	};
})(crm_lifecycle.accounts);
