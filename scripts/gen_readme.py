"""Write each add-on's README.rst from its readme/ fragments.

The fragments are short Markdown files (DESCRIPTION.md, CONFIGURE.md,
USAGE.md, ...), as in OCA add-ons. The README.rst is what Odoo shows in Apps,
so the conversion keeps to the Markdown the fragments use: headings,
paragraphs, lists, ``code``, **bold**, links and fenced code blocks.

Usage: gen_readme.py [--check] [ADDON_DIR ...]   (default: every add-on)
--check exits 1 when a README.rst is not up to date.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("HISTORY.md", "Changelog"),
    ("CONTRIBUTORS.md", "Contributors"),
]
UNDERLINES = "=~-^"
HEADING = re.compile(r"^(#+)\s+(.*)$")
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
CODE = re.compile(r"(?<!`)`([^`]+)`(?!`)")


def inline(text):
    text = LINK.sub(lambda m: f"`{m.group(1)} <{m.group(2)}>`__", text)
    return CODE.sub(lambda m: f"``{m.group(1)}``", text)


def heading(title, level):
    return [title, UNDERLINES[min(level, len(UNDERLINES) - 1)] * len(title), ""]


def convert(markdown, level):
    out, in_code = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            out += ["::", ""] if in_code else [""]
            continue
        if in_code:
            out.append(f"    {line}" if line else "")
            continue
        match = HEADING.match(line)
        if match:
            out += heading(inline(match.group(2)), level + len(match.group(1)))
            continue
        out.append(inline(line))
    return out


def render(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    lines = [
        "=" * len(manifest["name"]),
        manifest["name"],
        "=" * len(manifest["name"]),
        "",
    ]
    lines += [f"*{manifest.get('summary', '')}*", ""]
    status = manifest.get("development_status")
    version = f"{manifest['version']} ({status})" if status else manifest["version"]
    lines += [f"Version {version}, licence {manifest['license']}.", ""]
    for filename, title in SECTIONS:
        fragment = addon / "readme" / filename
        if not fragment.exists():
            continue
        if title:
            lines += heading(title, 1)
        lines += convert(fragment.read_text(), 1) + [""]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def main(argv):
    check = "--check" in argv
    targets = [Path(a).resolve() for a in argv[1:] if not a.startswith("--")] or [
        p.parent
        for folder in ("addons", "tests")
        for p in sorted(ROOT.glob(f"{folder}/*/__manifest__.py"))
    ]
    stale = []
    for addon in targets:
        if not (addon / "readme").is_dir():
            continue
        text = render(addon)
        readme = addon / "README.rst"
        if not readme.exists() or readme.read_text() != text:
            stale.append(readme)
            if not check:
                readme.write_text(text)
    for readme in stale:
        print(f"{'stale' if check else 'wrote'}: {readme.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
