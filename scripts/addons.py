"""List this repository's Odoo add-ons for the test and run scripts.

--install    comma-separated add-ons to install (addons/ and tests/)
--test-tags  Odoo --test-tags selecting the tests of those add-ons
--product    the add-ons a demo or production database gets (addons/ only)
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def addons(*folders):
    found = []
    for folder in folders:
        for manifest in sorted((ROOT / folder).glob("*/__manifest__.py")):
            data = ast.literal_eval(manifest.read_text())
            if data.get("installable", True):
                found.append(manifest.parent.name)
    return found


def dependents_first(names):
    """``names`` ordered so that every add-on comes before those it depends on."""
    depends = {
        name: set(_manifest(name).get("depends", [])) & set(names) for name in names
    }
    ordered = []
    while depends:
        free = sorted(
            name
            for name in depends
            if not any(name in deps for deps in depends.values())
        )
        if not free:
            raise ValueError(f"circular dependencies among {sorted(depends)}")
        ordered += free
        for name in free:
            del depends[name]
    return ordered


def _manifest(name):
    for folder in ("addons", "tests"):
        manifest = ROOT / folder / name / "__manifest__.py"
        if manifest.exists():
            return ast.literal_eval(manifest.read_text())
    return {}


def main(argv):
    mode = argv[1] if len(argv) > 1 else "--install"
    if mode == "--install":
        print(",".join(addons("addons", "tests")))
    elif mode == "--test-tags":
        print(",".join(f"/{name}" for name in addons("addons", "tests")))
    elif mode == "--product":
        print(",".join(addons("addons")))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
