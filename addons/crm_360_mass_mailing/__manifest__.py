# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer 360: campaigns",
    "summary": "Campaigns by customer value: responses on the 360 screen and by "
    "segment, offers never sent to who already bought them",
    "version": "19.0.1.0.1",
    "development_status": "Beta",
    "category": "Marketing/Email Marketing",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_360", "mass_mailing"],
    "data": [
        "views/mailing_mailing_views.xml",
        "views/mailing_trace_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_360_mass_mailing/static/src/components/**/*",
        ],
        "web.assets_tests": [
            "crm_360_mass_mailing/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
