# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer 360: statements",
    "summary": "Print a customer's OCA outstanding or activity statement from the "
    "360 screen and the customer form",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_360", "partner_statement"],
    "data": [
        "security/crm_360_partner_statement_security.xml",
        "views/res_partner_views.xml",
        "wizards/outstanding_statement_wizard_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_360_partner_statement/static/src/components/**/*",
        ],
        "web.assets_tests": [
            "crm_360_partner_statement/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "auto_install": True,
}
