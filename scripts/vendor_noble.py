"""Vendor @noble/curves and @noble/hashes into the browser booth's static folder.

    python scripts/vendor_noble.py [VERSION_CURVES [VERSION_HASHES]]

Runs ``npm pack`` in a temporary folder, checks each tarball's SHA-512 against
``npm view <pkg>@<version> dist.integrity``, then copies only the ESM files that the booth's
entry points need (the transitive closure of their imports), with each package's LICENSE. The
packages import each other by bare specifiers (``@noble/hashes/sha2.js``); browsers need an
import map for those, and an inline import map would need a CSP nonce, so the specifiers are
rewritten here to relative paths. ``//# sourceMappingURL`` lines are dropped (the maps are not
vendored). Writes VENDORED.md beside the files. No build step: the result is plain static files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "src/pnyx/votes/static/votes/verifiable/vendor"
PACKAGES = {
    # package -> (folder under vendor/, entry files the booth imports)
    "@noble/curves": ("noble-curves", ["ed25519.js", "abstract/modular.js", "utils.js"]),
    "@noble/hashes": ("noble-hashes", ["sha2.js", "pbkdf2.js", "hmac.js", "utils.js"]),
}
DEFAULT_VERSIONS = {"@noble/curves": "2.4.0", "@noble/hashes": "2.4.0"}
# import ... from '...'; export ... from '...'; import '...'  (code lines, not comments)
IMPORT_RE = re.compile(
    r"""^(\s*(?:import\s*|(?:import|export)\b[^;'"]*?\bfrom\s*)['"])([^'"]+)(['"])""", re.M
)


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def fetch(pkg: str, version: str, tmp: Path) -> tuple[Path, str]:
    integrity = json.loads(npm("view", f"{pkg}@{version}", "dist.integrity", "--json", cwd=tmp))
    name = npm("pack", f"{pkg}@{version}", cwd=tmp).strip().splitlines()[-1]
    data = (tmp / name).read_bytes()
    actual = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != integrity:
        sys.exit(f"{pkg}@{version}: tarball integrity {actual} != registry's {integrity}")
    out = tmp / name.removesuffix(".tgz")
    with tarfile.open(tmp / name) as t:
        t.extractall(out, filter="data")
    return out / "package", integrity


def rewrite(text: str, here: str, folder_of: dict[str, str]) -> tuple[str, list[str]]:
    """Rewrite bare @noble specifiers to relative ones; return the text and the (vendor-relative)
    files it imports."""
    deps: list[str] = []

    def sub(m: re.Match) -> str:
        spec = m.group(2)
        if spec.startswith("@noble/"):
            pkg, _, rest = spec[len("@noble/") :].partition("/")
            target = posixpath.join(folder_of["@noble/" + pkg], rest)
        elif spec.startswith("."):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), spec))
        else:
            raise SystemExit(f"{here}: unexpected import {spec!r}")
        deps.append(target)
        rel = posixpath.relpath(target, posixpath.dirname(here) or ".")
        if not rel.startswith("."):
            rel = "./" + rel
        return m.group(1) + rel + m.group(3)

    text = IMPORT_RE.sub(sub, text)
    text = re.sub(r"^//# sourceMappingURL=.*\n?", "", text, flags=re.M)
    return text, deps


def main(argv: list[str]) -> None:
    versions = dict(DEFAULT_VERSIONS)
    for pkg, v in zip(PACKAGES, argv[1:], strict=False):
        versions[pkg] = v
    folder_of = {pkg: folder for pkg, (folder, _) in PACKAGES.items()}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        roots, integrities = {}, {}
        for pkg in PACKAGES:
            roots[folder_of[pkg]], integrities[pkg] = fetch(pkg, versions[pkg], tmp)
        if DEST.exists():
            shutil.rmtree(DEST)
        todo = [posixpath.join(folder, e) for folder, entries in PACKAGES.values() for e in entries]
        done: set[str] = set()
        while todo:
            f = todo.pop()
            if f in done:
                continue
            done.add(f)
            folder, _, rel = f.partition("/")
            text, deps = rewrite((roots[folder] / rel).read_text(), f, folder_of)
            (DEST / f).parent.mkdir(parents=True, exist_ok=True)
            (DEST / f).write_text(text)
            todo.extend(deps)
        for folder, root in roots.items():
            shutil.copy(root / "LICENSE", DEST / folder / "LICENSE")
    lines = [
        "# Vendored JavaScript (do not edit by hand)",
        "",
        "Written by `python scripts/vendor_noble.py` (npm pack, integrity checked against",
        "`npm view <pkg>@<version> dist.integrity`, bare `@noble/...` imports rewritten to",
        "relative paths, source-map comments dropped; only the files the booth imports).",
        "",
        "| package | version | tarball integrity (SHA-512) | folder |",
        "| --- | --- | --- | --- |",
    ]
    for pkg, (folder, _) in PACKAGES.items():
        lines.append(f"| {pkg} | {versions[pkg]} | `{integrities[pkg]}` | {folder}/ |")
    lines += ["", "Files:", ""] + [f"- {f}" for f in sorted(done)] + [""]
    lines += ["Licence: MIT, see each folder's LICENSE.", ""]
    (DEST / "VENDORED.md").write_text("\n".join(lines))
    print(f"vendored {len(done)} files into {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
