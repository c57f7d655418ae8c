import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_loyalty_tour", {
    steps: () => [
        {
            content: "Open the Loyalty tab",
            trigger: ".o_notebook .nav-link:contains('Loyalty')",
            run: "click",
        },
        {
            content: "The tier shows on the form",
            trigger: ".o_field_widget[name='loyalty_tier_id']:contains('Tour Silver')",
        },
        {
            content: "The chatter tells how the tier was reached",
            trigger: ".o-mail-Message:contains('Initial tier')",
        },
        {
            content: "Progress towards the next tier",
            trigger:
                ".o_field_widget[name='loyalty_next_tier_id']:contains('Tour Gold')",
        },
        {
            trigger: ".o_field_widget[name='loyalty_progress'] .o_progressbar",
        },
        {
            content: "Open the tier what-if from the menu",
            trigger: "body",
            run() {
                window.location.href =
                    "/odoo/action-crm_loyalty.crm_loyalty_whatif_action";
            },
            expectUnloadPage: true,
        },
        {
            content: "Lower the Gold threshold",
            trigger:
                ".modal .o_data_row:contains('Tour Gold') td[name='proposed_min_amount']",
            run: "click",
        },
        {
            trigger:
                ".modal .o_data_row:contains('Tour Gold') td[name='proposed_min_amount'] input",
            run: "edit 2000",
        },
        {
            content: "Leave the cell to refresh the preview",
            trigger: ".modal p.text-muted",
            run: "click",
        },
        {
            content: "Preview: the customer would move",
            trigger:
                ".modal .o_field_widget[name='mover_ids'] .o_data_row:contains('Tour Customer')",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary:contains('Ok')",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o_notification:contains('customers changed tier')",
        },
    ],
});
