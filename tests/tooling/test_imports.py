"""The modules of bench/ and demo/ import each other by name (each folder is
on the import path when one of its scripts runs): none may import, even
lazily, a module that imports it back, and each one imports on its own."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "bench", ROOT / "demo"]


def modules():
    """{module name: path} of the folders' modules."""
    found = {}
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.py")):
            assert path.stem not in found, f"{path} and {found[path.stem]}"
            found[path.stem] = path
    return found


def imported(path):
    """The top-level names ``path`` imports, at the top or in a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def import_graph():
    found = modules()
    return {name: imported(path) & set(found) - {name} for name, path in found.items()}


def find_cycle(graph):
    """A list of modules that import each other in a circle, or None."""
    done, path = set(), []

    def visit(name):
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph.get(name, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name)
        if cycle:
            return cycle
    return None


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_folders_have_modules():
    found = modules()
    assert {"bench", "bench_load", "bench_common", "demo_story", "demo_fast"} <= set(
        found
    )


def test_no_import_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
    # the modules each folder shares import none of the folder's others
    assert not {name for name in graph["bench_common"] if name.startswith("bench")}
    assert not graph["demo_names"]
    # the benchmarks use the generator, never the other way round
    demo = {name: targets for name, targets in graph.items() if name.startswith("demo")}
    assert not {
        t for targets in demo.values() for t in targets if t.startswith("bench")
    }


def test_every_module_imports_in_a_fresh_interpreter():
    """Each module alone, in an interpreter of its own: none depends on
    another having been imported first."""
    folders = [str(folder) for folder in FOLDERS]
    failed = {}
    for name in modules():
        code = f"import sys; sys.path[:0] = {folders!r}; import {name}"
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if proc.returncode:
            failed[name] = proc.stderr.strip().splitlines()[-1]
    assert not failed, failed


def test_entry_points_print_their_help():
    for script, words in (
        ("bench/bench.py", "{all,build,report,scenario}"),
        ("demo/demo_story.py", "--fast"),
    ):
        proc = subprocess.run(
            [sys.executable, str(ROOT / script), "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert words in proc.stdout
