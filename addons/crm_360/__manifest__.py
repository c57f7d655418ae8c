# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer 360",
    "summary": "One screen per customer for sales, support and accounting",
    "version": "19.0.1.1.1",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_suite_base", "sale", "crm", "crm_claim_closing", "portal", "rpc"],
    "data": [
        "security/crm_360_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/crm_partner_relation_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/sale_order_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_360/static/src/components/**/*",
        ],
        "web.assets_tests": [
            "crm_360/static/tests/tours/*.js",
        ],
    },
}
