# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Loyalty Tiers",
    "summary": "Customer tiers earned from what customers pay, with their pricelist",
    "version": "19.0.1.2.1",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "LGPL-3",
    "depends": ["crm_suite_base", "sale", "crm", "mail", "portal"],
    "data": [
        "security/crm_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "data/mail_activity_data.xml",
        "wizards/crm_loyalty_whatif_views.xml",
        "views/crm_loyalty_tier_history_views.xml",
        "views/crm_loyalty_tier_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_tests": [
            "crm_loyalty/static/tests/tours/*.js",
        ],
    },
}
