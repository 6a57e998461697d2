"""Who imports whom between Soko's top-level packages: `python tools/import_graph.py [--check] [ROOT]`.

Reads every .py file of the packages with `ast` (imports inside functions count too) and prints one
line per edge with how many (module, imported module) pairs make it. With `--check` it exits 1 on any
edge that ALLOWED below does not list: the one place that says which way the code may depend; and on
any SQLAlchemy import in gateway/ but its exceptions (no SQL there).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGES = ("gateway", "bootstrap", "menus", "workers", "commerce", "providers", "config", "fast")

# (importer, imported): None for any module of either, or (importing modules, imported modules),
# each a tuple of dotted prefixes (None: any). A request flows one way (DESIGN.md):
#   gateway -> menus -> commerce -> config; workers -> commerce, providers; gateway -> providers;
#   bootstrap builds what every entry point needs, and only the entry points import it.
ALLOWED: dict[tuple[str, str], tuple[tuple[str, ...] | None, tuple[str, ...] | None] | None] = {
    ("gateway", "bootstrap"): None,
    ("gateway", "menus"): None,
    ("gateway", "commerce"): None,
    ("gateway", "providers"): None,
    ("gateway", "config"): None,
    # `flask --app gateway worker` (the Procfile's worker) starts the worker's entry point.
    ("gateway", "workers"): (("gateway.cli",), ("workers.run",)),
    ("bootstrap", "menus"): None,  # the USSD engine
    ("bootstrap", "commerce"): None,
    ("bootstrap", "providers"): None,
    ("bootstrap", "config"): None,
    ("bootstrap", "workers"): (None, ("workers.queues",)),  # the queues the web side enqueues on
    ("menus", "commerce"): None,
    ("menus", "config"): None,
    ("workers", "bootstrap"): (("workers.runtime", "workers.run"), None),  # the worker's entry point
    ("workers", "commerce"): None,
    ("workers", "providers"): None,
    ("workers", "config"): None,
    ("commerce", "config"): None,
    ("providers", "config"): None,
    # fast/: the speed pieces (stdlib, SQLAlchemy, redis only); anyone may use them, they use no one.
    **{(package, "fast"): None for package in ("gateway", "bootstrap", "menus", "workers", "commerce",
                                                "providers", "config")},
}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports(root: Path, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for each absolute import in `path`; `from pkg import mod` names the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub if _is_module(root, sub) else node.module, node.lineno))
    return found


def edges(root: Path) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """(importer package, imported package) -> [(importing module, imported module, "file:line")]."""
    out: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic's scripts, run by Alembic
            src = module_name(root, path)
            seen = set()
            for dst, line in imports(root, path):
                top = dst.split(".")[0]
                if top == package or top not in PACKAGES or dst in seen:
                    continue
                seen.add(dst)
                out[(package, top)].append((src, dst, f"{path.relative_to(root)}:{line}"))
    return out


def _matches(module: str, prefixes: tuple[str, ...] | None) -> bool:
    return prefixes is None or any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(graph) -> list[str]:
    bad = []
    for (src_pkg, dst_pkg), uses in sorted(graph.items()):
        if (src_pkg, dst_pkg) not in ALLOWED:
            bad += [f"{where}: {src} imports {dst} ({src_pkg} -> {dst_pkg} is not allowed)"
                    for src, dst, where in uses]
            continue
        rule = ALLOWED[(src_pkg, dst_pkg)]
        if rule is None:
            continue
        importers, imported = rule
        bad += [f"{where}: {src} imports {dst} ({src_pkg} -> {dst_pkg} only from {importers or 'any'} "
                f"to {imported or 'any'})"
                for src, dst, where in uses if not (_matches(src, importers) and _matches(dst, imported))]
    return bad


def sql_in_gateway(root: Path) -> list[str]:
    """No SQL in gateway/ (DESIGN.md): of SQLAlchemy it may know only the exceptions it answers 503 to."""
    return [f"{path.relative_to(root)}:{line}: imports {name} (gateway/ calls commerce services instead)"
            for path in sorted((root / "gateway").rglob("*.py"))
            for name, line in imports(root, path)
            if name.split(".")[0] == "sqlalchemy" and name != "sqlalchemy.exc"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on an edge ALLOWED does not list")
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args(argv)
    graph = edges(Path(args.root))
    order = {name: i for i, name in enumerate(PACKAGES)}
    for src in PACKAGES:
        targets = sorted((dst for s, dst in graph if s == src), key=order.get)
        if targets:
            print(f"{src:10} -> " + ", ".join(f"{dst} ({len(graph[(src, dst)])})" for dst in targets))
    bad = violations(graph) + sql_in_gateway(Path(args.root))
    if bad:
        print(f"\n{len(bad)} import(s) against the allowed direction (tools/import_graph.py ALLOWED):")
        for line in bad:
            print("  " + line)
    return 1 if bad and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
