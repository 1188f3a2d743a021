"""The house's layers hold: imports only go down, and the faces never touch the ORM themselves.

The order is the one `CONTRIBUTING.md` describes. A module may import from its own layer's
lower members and from any layer below; importing upwards (a domain app reaching into the
plans layer, the engine reaching into Django) is a design error this test names by file and
line. Imports under `if TYPE_CHECKING:` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "constellation"
SERVER = PACKAGE / "server"

# Bottom-up. Within the domain, an app may import only the apps listed before it.
BASE = ("errors", "scoping", "env", "sealed", "migrating", "logs")
DOMAIN = (
    "audit",
    "orgs",
    "notifications",
    # Tokens need only orgs and audit; below people, deactivating a person revokes them.
    "tokens",
    "people",
    "accounts",
    "okrs",
    "strategy",
    "tracking",
    "kpis",
    # Sources write check-ins through tracking and readings through kpis.
    "sources",
    "sharing",
    # Webhooks and chat channels turn the events of every app above into deliveries.
    "integrations",
)
# The plans layer reads every domain app. The quarterly review sits above it: it grades with
# the engine's scores and reports a period, and the plans read its grades through the
# objective's reverse relation (`review`), never by importing it.
PLANS = ("plans", "quarterly")
FACES = ("worker", "demo", "web", "api")
# `backup` copies the whole database, below every app and beside the settings it reads.
PROJECT = ("settings", "urls", "wsgi", "backup")
ORDER = (*BASE, *DOMAIN, *PLANS, *FACES, *PROJECT)
# The faces call each other never; the project modules wire them together.
SIBLINGS_MAY_NOT_MEET = set(FACES)


def _layer_of(unit: str) -> str:
    if unit in BASE:
        return "base"
    if unit in DOMAIN:
        return "domain"
    if unit in PLANS:
        return "plans"
    if unit in FACES:
        return "faces"
    return "project"


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Every `constellation...` module imported at run time, with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for child in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, name) for line, name in found if name.startswith("constellation")]


def _unit(path: Path) -> str:
    parts = path.relative_to(SERVER).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _server_modules() -> list[Path]:
    return [p for p in SERVER.rglob("*.py") if "migrations" not in p.parts]


def test_every_server_module_belongs_to_a_known_layer() -> None:
    units = {_unit(path) for path in _server_modules()} - {"__init__"}
    assert units <= set(ORDER), f"add {sorted(units - set(ORDER))} to the layers"


def test_server_imports_only_go_down() -> None:
    wrong = []
    for path in _server_modules():
        unit = _unit(path)
        if unit == "__init__":
            continue
        for line, name in _runtime_imports(path):
            parts = name.split(".")
            if parts[:2] == ["constellation", "cli"]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports the command line ({name})")
                continue
            if parts[:2] != ["constellation", "server"] or len(parts) < 3:
                continue
            target = parts[2]
            if target == unit or target not in ORDER:
                continue
            if unit in SIBLINGS_MAY_NOT_MEET and target in SIBLINGS_MAY_NOT_MEET:
                wrong.append(f"{path.relative_to(ROOT)}:{line} face {unit} imports face {name}")
            elif ORDER.index(target) > ORDER.index(unit):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} {_layer_of(unit)} `{unit}` imports "
                    f"`{name}`, which sits above it"
                )
    assert not wrong, "imports going up:\n" + "\n".join(sorted(wrong))


def test_the_engine_never_imports_django_or_the_server() -> None:
    wrong = []
    for path in (PACKAGE / "core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.split(".")[0] == "django" or name.startswith(
                    ("constellation.server", "constellation.cli")
                ):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not wrong, "\n".join(wrong)


def _orm_uses(path: Path) -> list[str]:
    """Every `X.objects` in a module, and every `Model.objects`-free ORM entry we know of."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
            ("get_object_or_404", "get_list_or_404", "connection.cursor", "raw")
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.func)}")
    return found


@pytest.mark.parametrize("face", ["server/web", "server/api", "cli"])
def test_faces_reach_models_only_through_access_and_actions(face: str) -> None:
    uses = [use for path in (PACKAGE / face).rglob("*.py") for use in _orm_uses(path)]
    assert not uses, (
        f"the {face} face queries the ORM itself; call an access_* function instead:\n"
        + "\n".join(uses)
    )


@pytest.mark.parametrize("face", ["web", "api"])
def test_faces_define_no_models(face: str) -> None:
    assert (
        not (SERVER / face / "models.py").exists()
        or "models.Model" not in (SERVER / face / "models.py").read_text()
    )
