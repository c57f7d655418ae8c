import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_360_mass_mailing_tour", {
    steps: () => [
        {
            content: "Unfold the recipients' filter",
            trigger: ".o_field_widget[name='mailing_domain'] .fa-caret-right",
            run: "click",
        },
        {
            content: "Champions only, with the domain editor",
            trigger: ".o_field_widget[name='mailing_domain'] textarea",
            run: `edit [("customer_rfm_segment", "=", "champion")] && click body`,
        },
        {
            content: "The editor reads the condition on the RFM segment",
            trigger:
                ".o_field_widget[name='mailing_domain'] .o_tree_editor_condition:contains('RFM Segment')",
        },
        {
            content: "Count the recipients again",
            trigger: ".o_field_widget[name='mailing_domain'] .o_refresh_count",
            run: "click",
        },
        {
            content: "Two champions",
            trigger:
                ".o_field_widget[name='mailing_domain'] .o_domain_show_selection_button:contains('2 record')",
        },
        {
            content: "Open the offer suppression",
            trigger: ".o_notebook_headers a:contains('Offer Suppression')",
            run: "click",
        },
        {
            content: "The mailing promotes Mortgage X",
            trigger: ".o_field_widget[name='crm_360_product_ids'] input",
            run: "edit Mortgage X",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Mortgage X')",
            run: "click",
        },
        {
            content: "The champion who owns Mortgage X is left out",
            trigger: ".o_crm_360_suppressed .o_stat_value:contains('1')",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
    ],
});
