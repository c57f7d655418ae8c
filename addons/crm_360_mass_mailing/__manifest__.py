# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer 360: campaign responses",
    "summary": "E-mail campaign responses of a customer on the 360 screen",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Marketing/Email Marketing",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_360", "mass_mailing"],
    "assets": {
        "web.assets_backend": [
            "crm_360_mass_mailing/static/src/components/**/*",
        ],
    },
    "auto_install": True,
}
