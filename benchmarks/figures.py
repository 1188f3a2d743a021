"""Writing a benchmark's figures into its section of docs/benchmarks.md, and only them."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_figures(
    section: str, start: str, end: str, command: str, body: str, intro: str = ""
) -> None:
    """Replace the block between the `start` and `end` markers with `Command: COMMAND` and the
    body. The section (its heading, `intro` and the block) is appended the first time;
    afterwards only the block changes, so the analysis written around it stays."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    figures = f"{start}\nCommand: {command}\n\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + figures + rest.split(end, 1)[1]
    else:
        lead = f"{intro}\n\n" if intro else ""
        text = text.rstrip("\n") + f"\n\n{section}\n\n{lead}{figures}\n"
    DOCS.write_text(text, encoding="utf-8")
