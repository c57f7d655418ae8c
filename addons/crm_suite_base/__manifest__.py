# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Suite: shared definitions",
    "summary": "Customer invoices, calendar months and indexes shared by the CRM suite",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "LGPL-3",
    "depends": ["sale"],
}
