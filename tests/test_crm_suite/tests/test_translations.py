import polib

from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

AUTHOR = "CRM Suite"
TEST_MODULES = {"test_crm_suite"}


@tagged("post_install", "-at_install")
class TestSpanishTranslations(TransactionCase):
    """Every user-facing string of the suite has a Spanish translation."""

    def _suite_modules(self):
        modules = self.env["ir.module.module"].search(
            [("author", "=", AUTHOR), ("state", "=", "installed")]
        )
        return [name for name in modules.mapped("name") if name not in TEST_MODULES]

    def test_every_term_translated_to_spanish(self):
        modules = self._suite_modules()
        self.assertTrue(modules, "no add-on of the suite is installed")
        missing = {}
        for module in modules:
            po_path = f"{get_module_path(module)}/i18n/es.po"
            try:
                catalog = polib.pofile(po_path)
            except OSError:
                missing[module] = ["(no i18n/es.po)"]
                continue
            translated = {entry.msgid for entry in catalog if entry.msgstr.strip()}
            reader = TranslationModuleReader(self.env.cr, modules=[module])
            terms = {
                source for (mod, _t, _n, _r, source, _v, _c) in reader if mod == module
            }
            untranslated = sorted(terms - translated)
            if untranslated:
                missing[module] = untranslated
        self.assertFalse(
            missing,
            "Terms without a Spanish translation in i18n/es.po:\n"
            + "\n".join(f"{mod}: {terms[:20]}" for mod, terms in missing.items()),
        )
