// Customer and Lead forms: "Fill from Registry" (ARES, VIES) and web search shortcuts from
// CRM Lifecycle Settings. UX only: the server checks permissions and asks the registry itself.
frappe.provide("crm_lifecycle.registry");

crm_lifecycle.registry.API = crm_lifecycle.API.registry;

crm_lifecycle.registry.refresh = function (frm) {
	if (frm.is_new()) return crm_lifecycle.registry.offer_on_new(frm);
	frappe.call({
		method: `${crm_lifecycle.registry.API}.shortcuts`,
		type: "GET",
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => {
			const { providers = [], web_searches = [] } = r.message || {};
			if (providers.length) {
				frm.page.add_menu_item(__("Fill from Registry"), () =>
					crm_lifecycle.registry.dialog(frm, providers)
				);
			}
			for (const link of web_searches) {
				frm.page.add_menu_item(__("Search on {0}", [crm_lifecycle.esc(link.label)]), () =>
					window.open(link.url, "_blank", "noopener")
				);
			}
		},
	});
};

// A new, unsaved Customer or Lead: a button fills the form from the registry before the first
// save; the registered seat travels with the form (crm_registry_address, not a field) and
// becomes the primary billing address when the record is saved.
crm_lifecycle.registry.offer_on_new = function (frm) {
	crm_lifecycle.registry.setup_of(frm.doctype).then((setup) => {
		if (!setup.providers.length || !frm.is_new()) return;
		frm.add_custom_button(__("Fill from Registry"), () =>
			crm_lifecycle.registry.dialog(frm, setup.providers, setup)
		);
	});
};

crm_lifecycle.registry._setups = {};
crm_lifecycle.registry.setup_of = function (doctype) {
	const setups = crm_lifecycle.registry._setups;
	if (!setups[doctype]) {
		setups[doctype] = new Promise((resolve) => {
			frappe.call({
				method: `${crm_lifecycle.registry.API}.providers`,
				type: "GET",
				args: { doctype },
				callback: (r) => resolve(r.message || { providers: [] }),
				error: () => resolve({ providers: [] }),
			});
		});
	}
	return setups[doctype];
};

// "New from Registry" in the Customer list: the same dialog, then a new Customer form, filled
crm_lifecycle.registry.new_from_registry = function (doctype) {
	crm_lifecycle.registry.setup_of(doctype).then((setup) => {
		if (!setup.providers.length) {
			return frappe.msgprint(__("No business registry is switched on in CRM Lifecycle Settings."));
		}
		frappe.model.with_doctype(doctype, () => {
			const doc = frappe.model.get_new_doc(doctype);
			if (doctype === "Customer") doc.customer_type = "Company";
			const draft = { doctype, docname: doc.name, doc, is_new: () => true, is_dirty: () => false };
			draft.on_filled = () => frappe.set_route("Form", doctype, doc.name);
			crm_lifecycle.registry.dialog(draft, setup.providers, setup);
		});
	});
};

// Fills an unsaved document in the browser with the ticked values of a candidate
crm_lifecycle.registry.fill_new = function (frm, setup, candidate, fields) {
	const values = {};
	for (const field of fields) {
		if (field !== "address") values[setup.fields[field]] = candidate[field];
	}
	if (frm.doctype === "Customer") values.customer_type = "Company"; // registries list companies
	if (fields.includes("address") && candidate.address) {
		frm.doc.crm_registry_address = candidate.address;
	}
	if (frm.set_value) {
		frm.set_value(values);
	} else {
		Object.assign(frm.doc, values);
	}
	frappe.show_alert({
		message: __("{0} fields filled from the registry", [fields.length]),
		indicator: "green",
	});
	if (frm.on_filled) frm.on_filled();
};

crm_lifecycle.registry.default_query = function (frm, provider) {
	if (provider === "vies") return frm.doc.tax_id || frm.doc.crm_tax_id || "";
	const name = frm.doctype === "Lead" ? frm.doc.company_name : frm.doc.customer_name;
	return frm.doc.crm_registration_no || name || "";
};

crm_lifecycle.registry.dialog = function (frm, providers, setup) {
	const is_new = frm.is_new();
	if (!is_new && frm.is_dirty()) return frappe.msgprint(__("Save your changes first."));
	const esc = crm_lifecycle.esc;
	let chosen = null;

	const dialog = new frappe.ui.Dialog({
		title: __("Fill from Registry"),
		size: "large",
		fields: [
			{
				fieldname: "provider",
				fieldtype: "Select",
				label: __("Registry"),
				options: providers.map((p) => ({ value: p.key, label: p.label })),
				default: providers[0].key,
				change: () => {
					const provider = dialog.get_value("provider");
					dialog.set_value("query", crm_lifecycle.registry.default_query(frm, provider));
				},
			},
			{ fieldtype: "Column Break" },
			{
				fieldname: "query",
				fieldtype: "Data",
				label: __("Registration No, VAT No or Name"),
				default: crm_lifecycle.registry.default_query(frm, providers[0].key),
			},
			{ fieldtype: "Section Break" },
			{ fieldname: "look_up", fieldtype: "Button", label: __("Look Up"), click: () => look_up() },
			{ fieldname: "candidates", fieldtype: "HTML" },
			{ fieldname: "changes", fieldtype: "HTML" },
		],
		primary_action_label: __("Apply Selected"),
		primary_action() {
			if (!chosen) return frappe.msgprint(__("Choose a record from the registry first."));
			const fields = dialog.fields_dict.changes.$wrapper
				.find("input[data-field]:checked")
				.map((i, el) => $(el).attr("data-field"))
				.get();
			if (!fields.length) return frappe.msgprint(__("Tick at least one field to fill."));
			if (is_new) {
				dialog.hide();
				crm_lifecycle.registry.fill_new(frm, setup, chosen, fields);
				return;
			}
			frappe.call({
				method: `${crm_lifecycle.registry.API}.apply`,
				args: {
					doctype: frm.doctype,
					name: frm.docname,
					provider: chosen.provider,
					registry_id: chosen.registry_id,
					fields: fields,
				},
				freeze: true,
				freeze_message: __("Asking the registry..."),
				callback: (r) => {
					dialog.hide();
					frappe.show_alert({
						message: __("{0} fields filled from the registry", [r.message.changed.length]),
						indicator: "green",
					});
					frm.reload_doc();
				},
			});
		},
	});

	const look_up = () => {
		const query = (dialog.get_value("query") || "").trim();
		if (!query) return;
		frappe.call({
			method: `${crm_lifecycle.registry.API}.lookup`,
			args: {
				provider: dialog.get_value("provider"),
				query: query,
				doctype: frm.doctype,
				name: is_new ? null : frm.docname,
			},
			freeze: true,
			freeze_message: __("Asking the registry..."),
			callback: (r) => show_candidates(r.message.candidates),
		});
	};

	const show_candidates = (candidates) => {
		chosen = null;
		dialog.fields_dict.changes.$wrapper.empty();
		const $wrapper = dialog.fields_dict.candidates.$wrapper.empty();
		if (!candidates.length) {
			$wrapper.html(`<p class="text-muted">${__("The registry found nothing.")}</p>`);
			return;
		}
		const $list = $(`<div class="list-group" style="margin-bottom: 15px"></div>`).appendTo($wrapper);
		for (const candidate of candidates) {
			const facts = [
				candidate.registration_no && `${__("Registration No")}: ${candidate.registration_no}`,
				candidate.tax_id && `${__("Tax ID")}: ${candidate.tax_id}`,
				candidate.legal_form,
			].filter(Boolean);
			$(`<button type="button" class="list-group-item list-group-item-action text-left">
					<div><b>${esc(candidate.name || candidate.registry_id)}</b></div>
					<div class="small text-muted">${facts.map(esc).join(" · ")}</div>
					<div class="small text-muted">${esc(candidate.address_text)}</div>
				</button>`)
				.on("click", function () {
					$list.children().removeClass("active");
					$(this).addClass("active");
					show_changes(candidate);
				})
				.appendTo($list);
		}
		if (candidates.length === 1) $list.children().first().trigger("click");
	};

	const show_changes = (candidate) => {
		chosen = null;
		const $wrapper = dialog.fields_dict.changes.$wrapper.empty();
		const customer = candidate.customer;
		const other = customer && customer.name !== frm.docname;
		if (other && frm.doctype === "Customer") {
			// the server refuses the save too; here the user learns it before typing anything
			const which = customer.name
				? `<a href="${frappe.utils.get_form_link("Customer", customer.name)}">${esc(
						customer.title || customer.name
				  )}</a>`
				: __("another customer you cannot see");
			$wrapper.html(
				`<div class="alert alert-warning crm-registry-taken">${__(
					"This registration number already belongs to {0}.",
					[which]
				)}</div>`
			);
			return;
		}
		chosen = candidate;
		if (other && customer.name) {
			$wrapper.append(
				`<div class="alert alert-info crm-registry-taken">${__(
					"Already a customer: {0}. Link the lead to it with Create > Link to Existing.",
					[esc(customer.title || customer.name)]
				)}</div>`
			);
		}
		// a new record's values are those typed into the form so far
		const now = (change) =>
			is_new && change.field !== "address" ? frm.doc[setup.fields[change.field]] : change.current;
		if (!candidate.changes.length) {

			$wrapper.html(`<p>${__("This record already matches the registry.")}</p>`);
			return;
		}
		const rows = candidate.changes
			.map(
				(change) => `<tr>
					<td><input type="checkbox" checked data-field="${esc(change.field)}"></td>
					<td>${esc(change.label)}</td>
					<td>${esc(now(change)) || `<span class="text-muted">${__("empty")}</span>`}</td>
					<td><b>${esc(change.new)}</b></td>
				</tr>`
			)
			.join("");
		$wrapper.append(`<table class="table table-bordered">
			<thead><tr><th></th><th>${__("Field")}</th><th>${__("Now")}</th><th>${__("From the registry")}</th></tr></thead>
			<tbody>${rows}</tbody></table>`);
	};

	dialog.show();
};

// this file is part of the form script of each doctype; register once for all of them
crm_lifecycle.once("registry_form", () => {
	for (const doctype of ["Customer", "Lead"]) {
		frappe.ui.form.on(doctype, { refresh: (frm) => crm_lifecycle.registry.refresh(frm) });
	}
});

// the Customer list's "New from Registry" (this file is also part of the list's script)
crm_lifecycle.extend_list("Customer", "registry", (settings) => {
	crm_lifecycle.after(settings, "onload", (listview) => {
		crm_lifecycle.registry.setup_of("Customer").then((setup) => {
			if (!setup.providers.length) return;
			listview.page.add_inner_button(__("New from Registry"), () =>
				crm_lifecycle.registry.new_from_registry("Customer")
			);
		});
	});
});

