"""The coach's findings as documents: the spec's JSON and SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath

from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}

FileFindings = tuple[str, Sequence[Finding]]


def json_report(files: Iterable[FileFindings]) -> dict[str, object]:
    """`{"files": [{"path": ..., "findings": [...]}]}`, exactly as the file contract says."""
    return {
        "files": [
            {"path": path, "findings": [finding.as_dict() for finding in findings]}
            for path, findings in files
        ]
    }


def sarif_rules() -> list[dict[str, object]]:
    """Every rule of the catalogue as a SARIF reportingDescriptor."""
    return [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.principle},
            "help": {"text": rule.help},
            "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        }
        for rule in RULES.values()
    ]


def sarif_report(files: Iterable[FileFindings], version: str = "0") -> dict[str, object]:
    """A SARIF 2.1.0 log with one run of the `okr` tool and a result per finding."""
    index = {rule_id: i for i, rule_id in enumerate(RULES)}
    results: list[dict[str, object]] = []
    for path, findings in files:
        uri = PurePath(path).as_posix()
        results.extend(_sarif_result(finding, uri, index) for finding in findings)
    driver = {
        "name": "okr",
        "version": version,
        "rules": sarif_rules(),
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


def _sarif_result(finding: Finding, uri: str, index: dict[str, int]) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": {"uri": uri}}
    if finding.line is not None:
        location["region"] = {"startLine": finding.line}
    result: dict[str, object] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": f"{finding.message}\nhint: {finding.hint}"},
        "locations": [{"physicalLocation": location}],
        "properties": {"object": finding.object, "hint": finding.hint},
    }
    if finding.object is not None:
        result["locations"] = [
            {"physicalLocation": location, "logicalLocations": [{"name": finding.object}]}
        ]
    return result
