// Create records from a Lead, Opportunity or Quotation ("Create" menu, "Link to Existing" dialog)
// and the Dependencies section of every record of the funnel (in the form's Connections). UX only: crm_lifecycle.api.conversion
// decides what may be created and does the work in one transaction.
frappe.provide("crm_lifecycle.conversion");

crm_lifecycle.conversion.API = crm_lifecycle.API.conversion;
crm_lifecycle.conversion.SOURCES = ["Lead", "Opportunity", "Quotation"];
crm_lifecycle.conversion.DOCTYPES = [
	"Lead",
	"Opportunity",
	"Quotation",
	"Sales Order",
	"Sales Invoice",
	"Customer",
	"Contact",
];

crm_lifecycle.conversion.refresh = function (frm) {
	if (frm.is_new()) return;
	if (crm_lifecycle.conversion.SOURCES.includes(frm.doctype)) {
		crm_lifecycle.conversion.add_create_menu(frm);
	}
	crm_lifecycle.conversion.setup_dependencies(frm);
};

crm_lifecycle.conversion.add_create_menu = function (frm) {
	frappe.call({
		method: `${crm_lifecycle.conversion.API}.targets`,
		type: "GET",
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => {
			for (const option of r.message || []) {
				const label = option.targets.map((target) => __(target)).join(" + ");
				// ERPNext's own button of the same label stays: its conversions are recorded too
				if (option.available) {
					frm.add_custom_button(
						label,
						() => crm_lifecycle.conversion.convert(frm, option.targets),
						__("Create")
					);
				} else {
					frm.add_custom_button(
						label,
						() =>
							frappe.msgprint({
								title: __("Not available"),
								message: crm_lifecycle.esc(option.reason),
								indicator: "orange",
							}),
						__("Create")
					);
				}
			}
			if (frm.doctype === "Lead") {
				frm.add_custom_button(
					__("Link to Existing Contact / Customer"),
					() => crm_lifecycle.conversion.link_dialog(frm),
					__("Create")
				);
			}
		},
	});
};

crm_lifecycle.conversion.convert = function (frm, targets, link, delivery_date) {
	if (targets.includes("Sales Order") && !delivery_date) {
		// a Sales Order needs a delivery date: the quotation's "valid till" when ahead, else today
		const today = frappe.datetime.get_today();
		const valid_till = frm.doc.valid_till;
		frappe.prompt(
			{
				fieldname: "delivery_date",
				fieldtype: "Date",
				label: __("Delivery Date"),
				reqd: 1,
				default: valid_till && valid_till >= today ? valid_till : today,
			},
			(values) => crm_lifecycle.conversion.convert(frm, targets, link, values.delivery_date),
			__("Create Sales Order"),
			__("Create")
		);
		return;
	}
	frappe.call({
		method: `${crm_lifecycle.conversion.API}.convert`,
		args: {
			doctype: frm.doctype,
			name: frm.docname,
			targets: JSON.stringify(targets),
			link: link ? JSON.stringify(link) : null,
			delivery_date: delivery_date || null,
		},
		freeze: true,
		freeze_message: __("Creating..."),
		callback: (r) => {
			const records = (r.message && r.message.records) || [];
			const rows = records.map((record) => {
				const href = frappe.utils.get_form_link(record.doctype, record.name);
				return `<li>${__(record.doctype)} <a href="${href}">${crm_lifecycle.esc(
					record.name
				)}</a>: ${__(record.action)}</li>`;
			});
			frappe.msgprint({
				title: __("Done"),
				message: `<ul>${rows.join("")}</ul>`,
				indicator: "green",
			});
			frm.reload_doc();
		},
	});
};

crm_lifecycle.conversion.link_dialog = function (frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Link {0} to Existing Records", [frm.docname]),
		fields: [
			{
				fieldname: "contact",
				fieldtype: "Link",
				options: "Contact",
				label: __("Existing Contact"),
			},
			{
				fieldname: "customer",
				fieldtype: "Link",
				options: "Customer",
				label: __("Existing Customer"),
				description: __("New records of this lead use the linked contact and customer"),
			},
			{ fieldname: "matches", fieldtype: "HTML" },
			{ fieldtype: "Section Break", label: __("Also Create") },
			{ fieldname: "opportunity", fieldtype: "Check", label: __("Opportunity") },
			{
				fieldname: "new_contact",
				fieldtype: "Check",
				label: __("Contact"),
				depends_on: "eval:!doc.contact",
			},
			{
				fieldname: "new_customer",
				fieldtype: "Check",
				label: __("Customer"),
				depends_on: "eval:!doc.customer",
			},
		],
		primary_action_label: __("Link"),
		primary_action(values) {
			const link = {};
			if (values.contact) link.Contact = values.contact;
			if (values.customer) link.Customer = values.customer;
			const targets = [];
			if (values.opportunity) targets.push("Opportunity");
			if (values.new_contact && !values.contact) targets.push("Contact");
			if (values.new_customer && !values.customer) targets.push("Customer");
			if (!targets.length && !Object.keys(link).length) {
				frappe.msgprint(__("Choose a record to link or something to create"));
				return;
			}
			dialog.hide();
			crm_lifecycle.conversion.convert(frm, targets, link);
		},
	});
	dialog.show();
	crm_lifecycle.conversion.show_matches(frm, dialog);
};

// Repeat business: the customers and contacts found by the lead's company name, e-mail and
// tax id, one click to pick each
crm_lifecycle.conversion.show_matches = function (frm, dialog) {
	const esc = crm_lifecycle.esc;
	const $wrapper = dialog.fields_dict.matches.$wrapper;
	frappe.call({
		method: `${crm_lifecycle.conversion.API}.matches`,
		type: "GET",
		args: { lead: frm.docname },
		callback: (r) => {
			const { customers = [], contacts = [], hidden = 0 } = r.message || {};
			const group = (label, fieldname, rows) =>
				rows.length
					? `<div class="crm-matches" data-fieldname="${fieldname}" style="margin-bottom: 8px">
						<div class="small text-muted">${label}</div>
						${rows
							.map(
								(row) => `<button type="button" class="btn btn-xs btn-default crm-match"
									style="margin: 2px" data-name="${esc(row.name)}"
									title="${esc(__("Found by {0}", [row.matched_label]))}">
									${esc(row.title)}${row.title !== row.name ? ` (${esc(row.name)})` : ""}
								</button>`
							)
							.join("")}
					</div>`
					: "";
			let html =
				group(__("Customers found by the lead's data"), "customer", customers) +
				group(__("Contacts found by the lead's data"), "contact", contacts);
			if (hidden) {
				html += `<div class="small text-muted">${__(
					"{0} more matches you cannot see",
					[hidden]
				)}</div>`;
			}
			if (!html) {
				html = `<div class="small text-muted">${__(
					"No existing customer or contact matches the lead's company name, e-mail or tax id."
				)}</div>`;
			}
			$wrapper.html(html);
			$wrapper.find(".crm-match").on("click", function () {
				const fieldname = $(this).closest(".crm-matches").attr("data-fieldname");
				dialog.set_value(fieldname, $(this).attr("data-name"));
			});
		},
	});
};

crm_lifecycle.conversion.setup_dependencies = function (frm) {
	// A section of the form's dashboard, which Frappe clears and refills on every refresh; it
	// sits in the Connections tab where the doctype has one (no field of ours in the form).
	const body = frm.dashboard.add_section(
		`<p class="text-muted small">${__("Loading...")}</p>`,
		__("Dependencies"),
		"custom crm-dependencies-section"
	);
	frm.dashboard.show();
	const render = () => crm_lifecycle.conversion.render_graph(frm, body);
	const tab = (frm.layout.tabs || []).find((t) => t.df.show_dashboard);
	if (!tab || tab.is_active()) {
		render();
		return;
	}
	// drawn when the tab is opened, not on every refresh of the form
	tab.tab_link
		.find(".nav-link")
		.off("shown.bs.tab.crm_dependencies")
		.one("shown.bs.tab.crm_dependencies", render);
};

crm_lifecycle.conversion.render_graph = function (frm, $body) {
	frappe.call({
		method: `${crm_lifecycle.API.dependencies}.graph`,
		type: "GET",
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => $body.html(crm_lifecycle.conversion.graph_html(r.message)),
	});
};

crm_lifecycle.conversion.graph_html = function (graph) {
	const esc = crm_lifecycle.esc;
	if (!graph || graph.nodes.length <= 1) {
		return `<p class="text-muted">${__("No document was created from or linked to this one yet.")}</p>`;
	}
	const key = (doctype, name) => `${doctype}\u0000${name}`;
	const sources = {};
	for (const edge of graph.edges) {
		const target = key(edge.target_doctype, edge.target_name || edge.target_ref);
		(sources[target] = sources[target] || []).push(edge);
	}
	// documents the user may not read come without a name
	const link = (doctype, name, accessible) =>
		!name
			? `<span class="text-muted">${__("Not permitted")}</span>`
			: accessible === false
			? esc(name)
			: `<a href="${frappe.utils.get_form_link(doctype, name)}">${esc(name)}</a>`;
	const rows = graph.nodes.map((node) => {
		const made_from = (sources[key(node.doctype, node.name || node.ref)] || [])
			.map((edge) => `${__(edge.source_doctype)} ${link(edge.source_doctype, edge.source_name)}
				<span class="text-muted small">(${__(edge.kind)})</span>`)
			.join("<br>");
		const indent = `padding-left: ${node.generation * 20 + 8}px`;
		const name = node.root ? `<b>${esc(node.name)}</b>` : link(node.doctype, node.name, node.accessible);
		return `<tr>
			<td style="${indent}">${__(node.doctype)} ${name}</td>
			<td>${esc(node.title || "")}</td>
			<td>${crm_lifecycle.conversion.status_pill(node)}</td>
			<td>${made_from}</td>
		</tr>`;
	});
	const truncated = graph.truncated
		? `<p class="text-muted small">${__("Only the first {0} documents are shown.", [graph.nodes.length])}</p>`
		: "";
	return `${crm_lifecycle.conversion.graph_svg(graph)}
	<table class="table table-bordered table-sm crm-dependencies">
		<thead><tr>
			<th>${__("Document")}</th><th>${__("Title")}</th><th>${__("Status")}</th><th>${__("Made From")}</th>
		</tr></thead>
		<tbody>${rows.join("")}</tbody>
	</table>${truncated}`;
};

crm_lifecycle.conversion.status_of = function (node) {
	if (!node.accessible) return "";
	return node.docstatus === 2 ? "Cancelled" : node.status || "";
};

crm_lifecycle.conversion.status_colour = function (node) {
	if (!node.accessible) return "gray";
	const colours = {
		Cancelled: "red",
		Lost: "red",
		Overdue: "red",
		Disabled: "gray",
		Closed: "gray",
		Draft: "gray",
		Unpaid: "orange",
		Open: "orange",
		Converted: "green",
		Ordered: "green",
		Paid: "green",
		Completed: "green",
		Enabled: "green",
	};
	return colours[crm_lifecycle.conversion.status_of(node)] || "blue";
};

crm_lifecycle.conversion.status_pill = function (node) {
	if (!node.accessible) return `<span class="text-muted">${__("Not permitted")}</span>`;
	return `<span class="indicator-pill ${crm_lifecycle.conversion.status_colour(node)}">${__(
		crm_lifecycle.esc(crm_lifecycle.conversion.status_of(node))
	)}</span>`;
};

// The graph as a picture: one column per generation, arrows "made from" (dashed: linked), the
// record itself outlined thick, each box coloured by status and opening its record on click.
crm_lifecycle.conversion.graph_svg = function (graph) {
	const esc = crm_lifecycle.esc;
	const W = 180,
		H = 52,
		GX = 70,
		GY = 16,
		PAD = 10;
	const tints = {
		red: ["#fdecec", "#e24c4c"],
		orange: ["#fff4e5", "#f5a623"],
		green: ["#e9f7ef", "#2f9e5b"],
		gray: ["#f3f3f3", "#8d99a6"],
		blue: ["#eaf2fd", "#318ad8"],
	};
	const key = (doctype, name) => `${doctype}\u0000${name}`;
	const rows_in = {};
	const place = {};
	for (const node of graph.nodes) {
		const column = node.generation;
		const row = (rows_in[column] = (rows_in[column] || 0) + 1) - 1;
		place[key(node.doctype, node.name || node.ref)] = {
			x: PAD + column * (W + GX),
			y: PAD + row * (H + GY),
			node,
		};
	}
	const columns = Math.max(...Object.keys(rows_in).map(Number)) + 1;
	const rows = Math.max(...Object.values(rows_in));
	const width = PAD * 2 + columns * W + (columns - 1) * GX;
	const height = PAD * 2 + rows * H + (rows - 1) * GY;
	const short = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

	const edges = graph.edges
		.map((edge) => {
			const from = place[key(edge.source_doctype, edge.source_name || edge.source_ref)];
			const to = place[key(edge.target_doctype, edge.target_name || edge.target_ref)];
			if (!from || !to) return "";
			const x1 = from.x + W,
				y1 = from.y + H / 2,
				x2 = to.x,
				y2 = to.y + H / 2;
			const bend = Math.max(Math.abs(x2 - x1) / 2, 30);
			const dash = edge.kind === "Link" ? ` stroke-dasharray="5 4"` : "";
			return `<path class="crm-graph-edge" data-source="${esc(
				edge.source_name || edge.source_ref
			)}" data-target="${esc(edge.target_name || edge.target_ref)}" data-kind="${esc(edge.kind)}"
				d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}"
				fill="none" stroke="#8d99a6" stroke-width="1.5"${dash} marker-end="url(#crm-arrow)"></path>`;
		})
		.join("");

	const nodes = Object.values(place)
		.map(({ x, y, node }) => {
			const colour = crm_lifecycle.conversion.status_colour(node);
			const [fill, stroke] = tints[colour];
			const label = node.name ? short(node.name, 24) : __("Not permitted");
			const second = [node.title && node.title !== node.name ? node.title : "", __(crm_lifecycle.conversion.status_of(node))]
				.filter(Boolean)
				.join(" · ");
			const box = `<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="6" fill="${fill}"
					stroke="${stroke}" stroke-width="${node.root ? 3 : 1}"></rect>
				<text x="${x + 8}" y="${y + 15}" font-size="10" fill="#6c7680">${esc(__(node.doctype))}</text>
				<text x="${x + 8}" y="${y + 30}" font-size="12" font-weight="600" fill="#1f272e">${esc(
					label
				)}</text>
				<text x="${x + 8}" y="${y + 44}" font-size="10" fill="#6c7680">${esc(short(second, 30))}</text>`;
			const attributes = `class="crm-graph-node" data-doctype="${esc(node.doctype)}"
				data-name="${esc(node.name || "")}" data-status="${esc(
				crm_lifecycle.conversion.status_of(node)
			)}" data-colour="${colour}" data-root="${node.root ? 1 : 0}"`;
			if (!node.name || node.root || !node.accessible) return `<g ${attributes}>${box}</g>`;
			const href = frappe.utils.get_form_link(node.doctype, node.name);
			return `<a href="${href}" ${attributes} style="cursor: pointer">${box}</a>`;
		})
		.join("");

	return `<div class="crm-dependency-graph" style="overflow-x: auto; margin-bottom: 12px">
		<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"
			viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(__("Dependencies"))}">
			<defs><marker id="crm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"
				markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8d99a6"></path>
			</marker></defs>
			${edges}${nodes}
		</svg></div>`;
};

// this file is part of the form script of each doctype; register once for all of them
crm_lifecycle.once("conversion_form", () => {
	for (const doctype of crm_lifecycle.conversion.DOCTYPES) {
		frappe.ui.form.on(doctype, { refresh: (frm) => crm_lifecycle.conversion.refresh(frm) });
	}
});
