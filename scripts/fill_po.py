"""Fill empty French msgstr entries of the catalogues from a Python dict file, then report gaps.

Usage: python scripts/fill_po.py TRANSLATIONS.py [PO ...]
TRANSLATIONS.py defines FR = {msgid: msgstr}, or {msgid: (singular, plural)} for plural messages. Without PO arguments, every catalogue under src/pnyx.
"""

import glob
import runpy
import sys

import polib


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
                if not all(entry.msgstr_plural.values()):
                    missing += 1
                    print(f"{path}: untranslated plural: {entry.msgid!r}")
                continue
            if not entry.msgstr and entry.msgid in fr:
                entry.msgstr = fr[entry.msgid]
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
