"""What a release carries stays consistent: the licence text is the one pyproject.toml names,
the changelog has an Unreleased section and a heading per released version, never one ahead
of the version, and the operations guide keeps the sections the README and changelog link."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_licence_file_is_the_apache_2_text_pyproject_names() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert PROJECT["license"] == "Apache-2.0"
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert PROJECT["license-files"] == ["LICENSE"]


def test_the_changelog_has_an_unreleased_section_first() -> None:
    headings = re.findall(r"^## \[([^\]]+)\]", CHANGELOG, flags=re.M)
    assert headings[0] == "Unreleased"


def test_every_released_version_is_dated_and_none_is_ahead_of_pyproject() -> None:
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", CHANGELOG, re.M)
    headings = re.findall(r"^## \[(?!Unreleased)([^\]]+)\]", CHANGELOG, flags=re.M)
    assert len(released) == len(headings), "a release heading is `## [X.Y.Z] - YYYY-MM-DD`"
    current = _version(PROJECT["version"])
    assert all(_version(version) <= current for version, _ in released)
    versions = [_version(version) for version, _ in released]
    assert versions == sorted(versions, reverse=True)


def test_the_project_names_its_classifiers() -> None:
    assert "License :: OSI Approved :: Apache Software License" not in PROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in PROJECT["classifiers"]


def test_the_operations_guide_has_the_linked_sections() -> None:
    headings = re.findall(r"^## (.+)$", (ROOT / "docs" / "operations.md").read_text(), re.M)
    assert {"Deployment", "Containers", "Migrations", "Upgrading", "Releases"} <= set(headings)
    for anchor in re.findall(r"operations\.md#([\w-]+)", CHANGELOG):
        assert anchor.replace("-", " ") in {h.lower() for h in headings}, anchor
