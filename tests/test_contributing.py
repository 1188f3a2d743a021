"""CONTRIBUTING.md describes the house as built: its layout exists, and what exists is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "constellation" / "server"
TEXT = (ROOT / "CONTRIBUTING.md").read_text()
SKELETON = ("models.py", "actions.py", "access.py", "admin.py", "apps.py", "migrations")


def _layout() -> str:
    return TEXT.split("## Layout", 1)[1].split("\n## ", 1)[0]


def _described_server_units() -> list[str]:
    """The names listed under `server/` in the layout block, first word of each line."""
    block = _layout().split("  server/\n", 1)[1].split("\n  schemas/", 1)[0]
    names = []
    for line in block.splitlines():
        if not line.startswith("    ") or line.startswith("     "):
            continue
        names.extend(re.findall(r"([\w]+(?:\.py|/))", line.split("  ", 2)[2].split("   ")[0]))
    return names


def _domain_apps() -> list[str]:
    line = TEXT.split("domain ", 1)[1].split("\n               |", 1)[0]
    return re.findall(r"[a-z]+", line.split("(", 1)[0])


def test_every_described_server_unit_exists() -> None:
    missing = [name for name in _described_server_units() if not (SERVER / name).exists()]
    assert missing == []


def test_every_server_unit_on_disk_is_described() -> None:
    described = {name.rstrip("/").removesuffix(".py") for name in _described_server_units()}
    on_disk = {
        path.name.removesuffix(".py")
        for path in SERVER.iterdir()
        if path.name != "__pycache__" and path.name != "__init__.py"
    }
    assert sorted(on_disk - described) == []


def test_every_domain_app_has_the_skeleton() -> None:
    apps = [*_domain_apps(), "quarterly"]
    assert "okrs" in apps
    missing = [
        f"{app}/{part}" for app in apps for part in SKELETON if not (SERVER / app / part).exists()
    ]
    assert missing == []


def test_the_domain_order_is_the_one_the_layer_test_enforces() -> None:
    from tests.test_layers import DOMAIN

    assert tuple(_domain_apps()) == DOMAIN


def test_the_top_level_folders_exist() -> None:
    for folder in ("core", "cli", "server", "schemas"):
        assert (ROOT / "constellation" / folder).is_dir()
    for folder in (
        "tests/core",
        "tests/cli",
        "tests/server",
        "tests/browser",
        "benchmarks",
        "docs",
    ):
        assert (ROOT / folder).is_dir()
