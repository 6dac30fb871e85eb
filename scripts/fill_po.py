"""Fill empty French msgstr entries of the catalogues from a Python dict file, then report gaps.

Usage: python scripts/fill_po.py TRANSLATIONS.py [PO ...]
TRANSLATIONS.py defines FR = {msgid: msgstr}, or {msgid: (singular, plural)} for plural messages. Without PO arguments, every catalogue under src/pnyx.
Every French msgstr is then set in French typography (`french_typography`): a non-breaking space
before ":" and inside « », a narrow non-breaking space before ";", "!" and "?".
"""

import glob
import re
import runpy
import sys

import polib

NBSP, NNBSP = "\u00a0", "\u202f"


def french_typography(text: str) -> str:
    """Spaces of French punctuation: "Pool : x" / "Pool: x" -> "Pool\u00a0: x"; "Merci !" ->
    "Merci\u202f!"; "« x »" with non-breaking spaces. Colons inside words or numbers (12:30,
    https://) are left alone."""
    text = re.sub(r"[ \t]+:(?=\s|$)", NBSP + ":", text)
    text = re.sub(r"(?<=[^\s\u00a0\u202f]):(?=[ \t\n]|$)", NBSP + ":", text)
    text = re.sub(r"[ \t]+([;!?])", NNBSP + r"\1", text)
    text = re.sub(r"«[ \t\u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(r"[ \t\u00a0\u202f]*»", NBSP + "»", text)
    return text


def main() -> int:
    fr = runpy.run_path(sys.argv[1])["FR"]
    paths = sys.argv[2:] or glob.glob("src/pnyx/**/locale/fr/LC_MESSAGES/django.po", recursive=True)
    missing = 0
    for path in paths:
        po = polib.pofile(path)
        for entry in po:
            if "fuzzy" in entry.flags:  # makemessages' guess from a similar message: never keep it
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.previous_msgid = entry.previous_msgid_plural = None
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: "", 1: ""}
            if entry.msgid_plural:
                # FR[msgid] = (singular, plural) for messages with a plural form.
                if not all(entry.msgstr_plural.values()) and entry.msgid in fr:
                    one, many = fr[entry.msgid]
                    entry.msgstr_plural = {0: one, 1: many}
                entry.msgstr_plural = {
                    k: french_typography(v) for k, v in entry.msgstr_plural.items()
                }
                if not all(entry.msgstr_plural.values()):
                    missing += 1
                    print(f"{path}: untranslated plural: {entry.msgid!r}")
                continue
            if not entry.msgstr and entry.msgid in fr:
                entry.msgstr = fr[entry.msgid]
            entry.msgstr = french_typography(entry.msgstr)
            if not entry.msgstr:
                missing += 1
                print(f"{path}: untranslated: {entry.msgid!r}")
        po.metadata["Language"] = "fr"
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
