import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_360_tour", {
    steps: () => [
        {
            content: "Open the customer's 360 screen",
            trigger:
                ".oe_stat_button[name='action_open_customer_360'], .o_form_view .dropdown-toggle:contains('More')",
            run: "click",
        },
        {
            trigger: ".oe_stat_button[name='action_open_customer_360']:visible",
            run: "click",
        },
        {
            content: "The screen shows the customer",
            trigger: ".o_crm_360 .o_crm_360_name:contains('Tour 360 Customer')",
        },
        {
            content: "Revenue of the last 12 months",
            trigger: ".o_crm_360_revenue_total:contains('1,234.00')",
        },
        {
            content: "The balance opens the receivable items that sum to it",
            trigger: ".o_crm_360_balance strong[role='button']:contains('1,234.00')",
            run: "click",
        },
        {
            content: "The open item of the invoice",
            trigger: ".o_list_view .o_data_row:contains('1,234.00')",
        },
        {
            content: "Back to the 360 screen",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Customer 360:')",
            run: "click",
        },
        {
            content: "The timeline shows the invoice posted, with its amount",
            trigger:
                ".o_crm_360_timeline .o_crm_360_event:has(.o_crm_360_event_amount:contains('1,234.00')) .o_crm_360_event_link",
        },
        {
            content: "Open the invoice from the billing section",
            trigger: ".o_crm_360_billing tr[role='button']:first",
            run: "click",
        },
        {
            content: "File a complaint about this invoice",
            trigger: ".o_form_view button[name='action_crm_360_new_claim']",
            run: "click",
        },
        {
            content: "The complaint is about the invoice",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Wrong quantity invoiced",
        },
        {
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});
