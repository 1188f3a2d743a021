"""Initiatives in the OKR file: `owner`, `status` and `links` are read, checked with their line
and column, written back, kept by `okr fmt`, and files without them load as before."""

from __future__ import annotations

import textwrap

import pytest

from constellation.core.okrfile.fmt import format_text
from constellation.core.okrfile.loader import load_text
from constellation.core.okrfile.problems import OkrFileError
from constellation.core.okrfile.writer import dump_plan

HEAD = """\
version: 1
organization: Acme
period: 2026-Q3
teams:
  - id: growth
    name: Growth
objectives:
  - id: activation
    team: growth
    title: New teams get to value in their first week
    key_results:
      - id: week1
        title: Raise week-1 activation from 34% to 50%
    initiatives:
"""


def _file(initiatives: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(initiatives), "      ")


def test_an_initiative_reads_its_owner_status_and_links() -> None:
    plan = load_text(
        _file("""\
        - title: Guided setup wizard
          status: in_progress
          owner: ana
          moves: [week1]
          links:
            - https://github.com/acme/app/issues/42
            - "https://acme.atlassian.net/browse/ABC-1?focus=1,2"
        """)
    )
    initiative = plan.objectives[0].initiatives[0]
    assert initiative.owner == "ana"
    assert initiative.status == "in_progress"
    assert initiative.links == [
        "https://github.com/acme/app/issues/42",
        "https://acme.atlassian.net/browse/ABC-1?focus=1,2",
    ]


def test_a_file_without_the_new_keys_loads_as_before() -> None:
    plan = load_text(_file("- title: Guided setup wizard\n  moves: [week1]\n"))
    initiative = plan.objectives[0].initiatives[0]
    assert (initiative.owner, initiative.status, initiative.links) == (None, None, [])
    assert initiative.moves == ["week1"]


@pytest.mark.parametrize(
    ("lines", "where", "words"),
    [
        ("- title: A\n  links: [ftp://files.example.com/a]\n", "16:17", "http:// or https://"),
        ("- title: A\n  links: [3]\n", "16:17", "must be text"),
        ("- title: A\n  links: https://example.com\n", "16:16", "must be a list"),
        ("- title: A\n  links: ['https://exa mple.com']\n", "16:17", "no spaces"),
        ("- title: A\n  owner: [ana]\n", "16:16", "'owner' must be text"),
        ("- title: A\n  status: started\n", "16:17", "planned | in_progress | done | dropped"),
        ("- title: A\n  link: [https://example.com]\n", "16:9", "did you mean 'links'"),
    ],
)
def test_a_wrong_owner_status_or_link_is_named_with_its_line_and_column(
    lines: str, where: str, words: str
) -> None:
    with pytest.raises(OkrFileError) as refused:
        load_text(_file(lines), "okrs.yaml")
    message = str(refused.value)
    assert f"okrs.yaml:{where}:" in message
    assert words in message


def test_every_bad_link_is_reported_in_one_run() -> None:
    with pytest.raises(OkrFileError) as refused:
        load_text(_file("- title: A\n  links: [ftp://a, 'mailto:b@example.com', 4]\n"))
    assert len(refused.value.problems) == 3


def test_the_writer_writes_them_and_reading_gives_them_back() -> None:
    text = _file("""\
        - title: Guided setup wizard
          links: [https://linear.app/acme/issue/ENG-3/setup, "https://example.com/a,b"]
          owner: ana
          status: done
          moves: [week1]
        """)
    plan = load_text(text)
    written = dump_plan(plan)
    assert "        owner: ana\n" in written
    assert "links: [https://linear.app/acme/issue/ENG-3/setup, " in written
    again = load_text(written).objectives[0].initiatives[0]
    first = plan.objectives[0].initiatives[0]
    assert (again.title, again.owner, again.status, again.moves, again.links) == (
        first.title,
        first.owner,
        first.status,
        first.moves,
        first.links,
    )


def test_fmt_keeps_them_in_canonical_order() -> None:
    text = _file("""\
        - links: [https://github.com/acme/app/pull/7]  # the wizard's pull request
          moves: [week1]
          owner: ana
          status: planned
          title: Guided setup wizard
        """)
    formatted = format_text(text)
    tail = formatted[formatted.index("initiatives:") :]
    keys = [line.strip().lstrip("- ").split(":")[0] for line in tail.splitlines()[1:]]
    assert keys == ["title", "status", "owner", "moves", "links"]
    assert "# the wizard's pull request" in formatted
    assert load_text(formatted).objectives[0].initiatives[0].links == [
        "https://github.com/acme/app/pull/7"
    ]
