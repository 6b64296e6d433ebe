import re
from collections import Counter

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import (
    TranslationImporter,
    TranslationModuleReader,
    code_translations,
)

MODULE = "pos_session_restriction"
POT_PATH = f"{MODULE}/i18n/{MODULE}.pot"
# The .po files shipped, and the Odoo language each one serves in these tests.
LANGUAGES = {"fr": "fr_FR", "es": "es_ES", "de": "de_DE", "zh_CN": "zh_CN"}
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdifr]")
TAG = re.compile(r"<[^>]+>")
OCCURRENCE = re.compile(r"^(model|model_terms):([\w.]+),(\w+):(\w+\.[\w.]+)$")
UPDATE_HINT = "run scripts/update-pot, then translate what it reports"


def _report(title, problems):
    return f"{title} ({UPDATE_HINT}):\n  " + "\n  ".join(problems)


@tagged("post_install", "-at_install")
class TestTranslationFiles(TransactionCase):
    """The committed .pot is what Odoo's exporter produces for the addon now, and
    every shipped language translates all of it, in a form Odoo applies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's own exporter, as `odoo i18n export` runs it: database records
        # (fields, views, menus...) and the terms of the Python, JS and XML code.
        reader = TranslationModuleReader(cls.env.cr, modules=[MODULE])
        cls.exported = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in reader
            if module == MODULE
        }
        cls.pot = polib.pofile(file_path(POT_PATH))
        cls.pot_ids = {entry.msgid for entry in cls.pot if not entry.obsolete}

    def _po(self, code):
        return polib.pofile(file_path(f"{MODULE}/i18n/{code}.po"))

    def test_pot_lists_every_term_odoo_exports(self):
        missing = sorted(self.exported - self.pot_ids)
        self.assertFalse(
            missing,
            _report(f"{POT_PATH} lacks terms Odoo exports", map(repr, missing)),
        )

    def test_pot_lists_no_term_the_addon_dropped(self):
        stale = sorted(self.pot_ids - self.exported)
        self.assertFalse(
            stale,
            _report(f"{POT_PATH} lists terms Odoo no longer exports", map(repr, stale)),
        )

    def test_each_language_translates_every_term_of_the_pot(self):
        problems = []
        for code in LANGUAGES:
            entries = {e.msgid: e for e in self._po(code) if not e.obsolete}
            for msgid in sorted(self.pot_ids):
                entry = entries.get(msgid)
                if entry is None:
                    problems.append(f"{code}.po: missing {msgid!r}")
                elif not entry.msgstr.strip():
                    problems.append(f"{code}.po: untranslated {msgid!r}")
                elif "fuzzy" in entry.flags:
                    problems.append(f"{code}.po: fuzzy (to review) {msgid!r}")
            for msgid in sorted(set(entries) - self.pot_ids):
                problems.append(f"{code}.po: {msgid!r} is not in the .pot")
        self.assertFalse(problems, _report("incomplete translations", problems))

    def test_translations_keep_placeholders_and_markup(self):
        problems = []
        for code in LANGUAGES:
            for entry in self._po(code):
                if entry.obsolete or not entry.msgstr:
                    continue
                for what, pattern in (("placeholders", PLACEHOLDER), ("tags", TAG)):
                    source = Counter(pattern.findall(entry.msgid))
                    translation = Counter(pattern.findall(entry.msgstr))
                    if source != translation:
                        problems.append(
                            f"{code}.po: {what} {sorted(translation.elements())} "
                            f"instead of {sorted(source.elements())} in {entry.msgid!r}"
                        )
        self.assertFalse(problems, _report("translations break their source", problems))

    def test_odoo_applies_every_translation(self):
        """Load each .po as Odoo does when a language is installed, then read
        every translated record, view and code term back in that language."""
        problems = []
        for code, lang in LANGUAGES.items():
            self.env["res.lang"]._activate_lang(lang)
            importer = TranslationImporter(self.env.cr, verbose=False)
            importer.load_file(file_path(f"{MODULE}/i18n/{code}.po"), lang)
            importer.save(overwrite=True, force_overwrite=True)
            python_terms = code_translations.get_python_translations(MODULE, lang)
            web_terms = {
                message["id"]: message["string"]
                for message in code_translations.get_web_translations(MODULE, lang)[
                    "messages"
                ]
            }
            for entry in self._po(code):
                if entry.obsolete or not entry.msgstr:
                    continue
                problems += self._unapplied(code, lang, entry, python_terms, web_terms)
        self.assertFalse(
            problems, _report("translations Odoo does not apply", problems)
        )

    def _unapplied(self, code, lang, entry, python_terms, web_terms):
        problems = []
        if "odoo-python" in entry.comment and python_terms.get(entry.msgid) != (
            entry.msgstr
        ):
            problems.append(f"{code}.po: Python code term {entry.msgid!r}")
        if "odoo-javascript" in entry.comment and web_terms.get(entry.msgid) != (
            entry.msgstr
        ):
            problems.append(f"{code}.po: JavaScript term {entry.msgid!r}")
        for occurrence, _line in entry.occurrences:
            match = OCCURRENCE.match(occurrence)
            if not match:
                continue
            kind, _model, field, xmlid = match.groups()
            value = self.env.ref(xmlid).with_context(lang=lang)[field] or ""
            applied = (
                entry.msgstr in value
                if kind == "model_terms"
                else value == entry.msgstr
            )
            if not applied:
                problems.append(f"{code}.po: {occurrence} reads {str(value)[:80]!r}")
        return problems
