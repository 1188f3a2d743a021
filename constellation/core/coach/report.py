"""The coach's findings as documents: the spec's JSON, SARIF 2.1.0 for code-scanning tools and
GitHub Actions workflow commands for annotations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING

from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES

if TYPE_CHECKING:
    from constellation.core.okrfile.problems import Problem

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


def sarif_report(
    files: Iterable[FileFindings],
    version: str = "0",
    unreadable: Sequence[Problem] = (),
    *,
    not_shown: int = 0,
) -> dict[str, object]:
    """A SARIF 2.1.0 log with one run of the `okr` tool and a result per finding; a file that
    could not be read is an error notification of the run, which then did not succeed. When
    the report was capped, the run's property bag says how many findings were left out."""
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
    run: dict[str, object] = {"tool": {"driver": driver}, "results": results}
    if not_shown:
        run["properties"] = {"findingsNotShown": not_shown}
    if unreadable:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [_sarif_notification(p) for p in unreadable],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _sarif_notification(problem: Problem) -> dict[str, object]:
    """A problem with a file as a SARIF notification: an error, where it is, and what."""
    location: dict[str, object] = {"artifactLocation": {"uri": PurePath(problem.path).as_posix()}}
    if problem.line is not None:
        region: dict[str, int] = {"startLine": problem.line}
        if problem.column is not None:
            region["startColumn"] = problem.column
        location["region"] = region
    return {
        "level": "error",
        "message": {"text": problem.message},
        "locations": [{"physicalLocation": location}],
    }


def github_annotations(files: Iterable[FileFindings], unreadable: Sequence[Problem] = ()) -> str:
    """GitHub Actions workflow commands, one a line: each problem with a file as an error,
    each finding as an error, warning or notice on its file and line, titled by its rule."""
    lines = [
        _workflow_command("error", p.path, p.line, p.column, "okr: unreadable file", p.message)
        for p in unreadable
    ]
    for path, findings in files:
        for f in findings:
            level = _GITHUB_LEVELS[f.severity]
            text = f"{f.message} (hint: {f.hint})"
            lines.append(_workflow_command(level, path, f.line, None, f"okr {f.rule}", text))
    return "".join(line + "\n" for line in lines)


_GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _workflow_command(
    level: str, path: str, line: int | None, column: int | None, title: str, message: str
) -> str:
    """`::error file=…,line=…,title=…::message`, escaped as the runner reads it."""
    props = [f"file={_escape_property(PurePath(path).as_posix())}"]
    if line is not None:
        props.append(f"line={line}")
        if column is not None:
            props.append(f"col={column}")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


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
