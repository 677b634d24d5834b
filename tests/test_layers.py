"""The package's rooms import one another in one direction: the loop's pure core never reaches
its adapters (the review store, the provider clients, the command line), and no two rooms
import each other."""

import ast
from collections import defaultdict
from pathlib import Path

import dco

PACKAGE = Path(dco.__file__).parent
PURE = {"models", "text", "channels", "funnel", "brand", "outcomes", "tuning", "serving"}
ADAPTERS = {"review", "providers", "cli", "lint", "simulation"}


def rooms_imported() -> dict[str, set[str]]:
    """Each room of dco (a top-level module or package) with the rooms its code imports,
    counting imports made only for type checkers."""
    imports: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        room = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] if node.module != "dco" else [
                    f"dco.{alias.name}" for alias in node.names
                ]  # fmt: skip
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "dco" and len(parts) > 1 and parts[1] != room:
                    imports[room].add(parts[1])
    return imports


def test_the_pure_core_imports_no_adapter():
    reaching = {room: sorted(rooms_imported()[room] & ADAPTERS) for room in PURE}
    assert {room: found for room, found in reaching.items() if found} == {}


def test_no_two_rooms_import_each_other_even_through_others():
    imports = rooms_imported()
    circles = []
    for start in imports:
        seen, frontier = set(), set(imports[start])
        while frontier:
            room = frontier.pop()
            if room == start:
                circles.append(start)
                break
            if room not in seen:
                seen.add(room)
                frontier |= imports.get(room, set())
    assert circles == []


def test_the_reader_sees_every_room():
    # The test above is only as good as its reading of the imports.
    imports = rooms_imported()
    assert {"generation", "review", "brand", "cli"} <= imports.keys()
    assert "providers" in imports["generation"] and "serving" in imports["cli"]
