import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_360_partner_statement_tour", {
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
            content: "The customer's 360 screen",
            trigger: ".o_crm_360 .o_crm_360_name:contains('Statement Customer')",
        },
        {
            content: "Print the customer's statement",
            trigger: ".o_crm_360 button.o_crm_360_statement",
            run: "click",
        },
        {
            content: "partner_statement's outstanding statement wizard opens",
            trigger: ".modal button[name='button_export_pdf']",
        },
        {
            content: "The activity statement is one click away",
            trigger: ".modal button[name='action_crm_360_activity_statement']",
            run: "click",
        },
        {
            content: "The activity statement wizard asks for the period",
            trigger: ".modal .o_form_view .o_field_widget[name='date_start']",
        },
    ],
});
