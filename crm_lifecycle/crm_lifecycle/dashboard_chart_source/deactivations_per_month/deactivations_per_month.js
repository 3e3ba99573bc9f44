frappe.provide("frappe.dashboards.chart_sources");

// data: crm_lifecycle.api.charts.deactivations (computed for the user looking at it)
frappe.dashboards.chart_sources["Deactivations per Month"] = {
	method: "crm_lifecycle.api.charts.deactivations",
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -5),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
	],
};
