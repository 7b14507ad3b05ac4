"""The package's folders are layers: a module imports only from its own layer or the ones below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bedrock_usage"

# The parts of aws/ the engines may use: the session, and reading (never changing) logging configurations and the
# log buckets' lifecycle rules.
BELOW_ENGINES = ("aws.session", "aws.logging_config", "aws.log_lifecycle")

# Lowest first. ``aws.session`` (the boto3 session) sits below the engines; the rest of ``aws/`` provisions and
# checks resources and sits above them.
LAYERS = (
    ("errors", "cache", "lazy_modules", "output", "bounded_gzip"),
    ("logs", "pricing"),
    BELOW_ENGINES,
    ("engines", "demo"),
    ("aws",),
    ("report",),
    ("qdev",),
    ("governance",),
    ("dashboard", "cli"),
)


def layer_of(module: str) -> int:
    """The layer of a dotted module name inside the package (the longest matching prefix wins)."""
    matches = [
        (len(part), index)
        for index, parts in enumerate(LAYERS)
        for part in parts
        if module == part or module.startswith(part + ".")
    ]
    assert matches, f"{module} is in no layer: add its folder to LAYERS"
    return max(matches)[1]


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the package from ``path``, relative ones resolved."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    package = list(module[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("bedrock_usage."):
                target = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                candidate = [*target, alias.name]
                is_module = (PACKAGE.joinpath(*candidate).with_suffix(".py")).exists() or PACKAGE.joinpath(
                    *candidate
                ).is_dir()
                found.append((node.lineno, ".".join(candidate if is_module else target)))
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if not name:
            continue
        for line, imported in project_imports(path):
            if imported and layer_of(imported) > layer_of(name):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}")
    assert not wrong, "imports that point up a layer:\n" + "\n".join(wrong)


def test_the_log_and_engine_layers_know_nothing_of_provisioning_governance_or_the_dashboard() -> None:
    forbidden = ("dashboard", "governance", "aws.")
    for folder in ("logs", "engines"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for line, imported in project_imports(path):
                assert not imported.startswith(forbidden) or imported in BELOW_ENGINES, (
                    f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}"
                )


def test_layer_check_sees_relative_imports() -> None:
    assert layer_of("engines.local") < layer_of("report.tracker")
    assert layer_of("aws.session") < layer_of("engines.athena") < layer_of("aws.athena_setup")
    imported = {module for _, module in project_imports(PACKAGE / "report" / "tracker.py")}
    assert "engines.queries" in imported and "pricing" in imported
