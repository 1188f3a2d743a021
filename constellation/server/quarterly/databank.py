"""The data bank: full-text search over one organisation's learnings and initiative results.

One function, `search`, on either database. SQLite reads the FTS5 table
`reviews_databank_fts` (bm25 ranking); PostgreSQL reads the `search_vector` columns with
`websearch_to_tsquery` and `ts_rank` (what `SearchQuery(search_type="websearch")` and
`SearchRank` compile to). Both are made by migration 0003 and kept in step by the database
itself. The organisation and every filter are part of the SQL, so another organisation's
rows are never read, nor counted.

What a person types is never handed to the database's query syntax: `terms` keeps words and
quoted phrases only, and the engine's query is rebuilt from them, so quotes, operators and
stars cannot break a search. Terms are OR-ed: a record matching more, or rarer, terms ranks
higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.quarterly.models import InitiativeResult, Learning
from constellation.server.strategy.models import Lever

LEARNING = "learning"
RESULT = "result"
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
SNIPPET_WORDS = 24
# The engines mark matches with these private-use characters, never with HTML: snippets are
# split on them into (text, is a match) parts that templates escape like any other text.
START, STOP = "\ue000", "\ue001"
# Words too common to tell records apart; PostgreSQL's english configuration drops them
# too, and on SQLite they would match nearly everything.
_STOP_TEXT = (
    "a an and are as at be but by for from has have in into is it its not of on or our so "
    "than that the their them then there these they this to was we were will with near"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search: all optional, all within the caller's organisation."""

    team: Team | None = None
    lever: Lever | None = None
    key_result: KeyResult | None = None
    period: Period | None = None
    outcome: str = ""
    tag: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """One record found: a learning or an initiative result, with its snippet."""

    kind: str
    rank: float  # higher is better; comparable within one search only
    snippet: list[tuple[str, bool]]
    record: Learning | InitiativeResult

    @property
    def team(self) -> Team:
        """The team the record belongs to."""
        return self.record.team

    @property
    def period(self) -> Period:
        """The period the record belongs to."""
        return self.record.period

    @property
    def key_result(self) -> KeyResult | None:
        """The key result the record is about, if it still exists."""
        return self.record.key_result

    @property
    def objective(self) -> Objective | None:
        """The objective the record is about (through its key result or initiative)."""
        record = self.record
        if isinstance(record, Learning):
            return record.objective
        if record.key_result is not None:
            return record.key_result.objective
        return record.initiative.objective if record.initiative is not None else None

    @property
    def title(self) -> str:
        """A heading for the record: the initiative's title for a result."""
        if isinstance(self.record, InitiativeResult):
            return self.record.initiative_title
        return ""

    @property
    def text(self) -> str:
        """The snippet as plain text (matches not marked)."""
        return "".join(part for part, _ in self.snippet)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a search: the hits in rank order and how many matched in all."""

    hits: list[Hit]
    count: int
    limit: int
    offset: int
    terms: list[str] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        """Whether more hits follow this page."""
        return self.offset + self.limit < self.count

    @property
    def has_previous(self) -> bool:
        """Whether hits come before this page."""
        return self.offset > 0

    @property
    def first(self) -> int:
        """The position of the page's first hit among all (from 1)."""
        return self.offset + 1

    @property
    def last(self) -> int:
        """The position of the page's last hit among all."""
        return self.offset + len(self.hits)


def terms(query: str) -> list[str]:
    """The words and quoted phrases of a query, lower-cased, without operators or stop words.

    >>> terms('onboarding "trial emails" AND OR * -pricing')
    ['trial emails', 'onboarding', 'pricing']
    """
    found: list[str] = []
    text = (query or "")[:1000]
    for phrase in _PHRASE.findall(text):
        words = [w.lower()[:MAX_TERM_LENGTH] for w in _WORD.findall(phrase)]
        if len(words) > 1:
            found.append(" ".join(words))
        elif words and words[0] not in STOP_WORDS:
            found.append(words[0])
    for word in _WORD.findall(_PHRASE.sub(" ", text)):
        word = word.lower()[:MAX_TERM_LENGTH]
        if word not in STOP_WORDS and word.strip("_"):
            found.append(word)
    return list(dict.fromkeys(found))[:MAX_TERMS]


def _fts_query(words: list[str]) -> str:
    """An FTS5 MATCH string: each term double-quoted (a phrase when several words), OR-ed."""
    return " OR ".join('"' + term.replace("_", " ") + '"' for term in words)


def _websearch_query(words: list[str]) -> str:
    """A websearch_to_tsquery string: phrases quoted, every term OR-ed."""
    return " or ".join(f'"{term}"' if " " in term else term for term in words)


@dataclass(slots=True)
class _Part:
    """The SELECT over one table (learnings or results) with its filters and parameters."""

    kind: str
    table: str
    where: list[str]
    params: list[Any]


def _lever_clause(kind: str, lever: Lever) -> tuple[str, list[Any]]:
    """Records about an objective that models `lever` (a result through its KR or initiative)."""
    levers = Objective.levers.through._meta.db_table
    objectives = f"SELECT ol.objective_id FROM {levers} ol WHERE ol.lever_id = %s"
    if kind == LEARNING:
        return f"src.objective_id IN ({objectives})", [lever.pk]
    krs, initiatives = KeyResult._meta.db_table, Initiative._meta.db_table
    return (
        f"(src.key_result_id IN (SELECT k.id FROM {krs} k WHERE k.objective_id IN ({objectives}))"
        f" OR src.initiative_id IN (SELECT i.id FROM {initiatives} i"
        f" WHERE i.objective_id IN ({objectives})))",
        [lever.pk, lever.pk],
    )


def _tag_clause() -> str:
    """Learnings tagged with a tag, whatever its case."""
    if connection.vendor == "postgresql":
        return (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(src.tags) t(v)"
            " WHERE lower(t.v) = lower(%s))"
        )
    return "EXISTS (SELECT 1 FROM json_each(src.tags) t WHERE lower(t.value) = lower(%s))"


def _parts(access: Access, filters: Filters) -> list[_Part]:
    """The per-table SELECTs that can match these filters (a tag excludes results, an outcome
    excludes learnings)."""
    parts = []
    if not filters.outcome:
        parts.append(_Part(LEARNING, Learning._meta.db_table, [], []))
    if not filters.tag:
        parts.append(_Part(RESULT, InitiativeResult._meta.db_table, [], []))
    for part in parts:
        part.where.append("src.organization_id = %s")
        part.params.append(access.organization.pk)
        for column, row in (
            ("team_id", filters.team),
            ("period_id", filters.period),
            ("key_result_id", filters.key_result),
        ):
            if row is not None:
                part.where.append(f"src.{column} = %s")
                part.params.append(row.pk)
        if filters.lever is not None:
            clause, params = _lever_clause(part.kind, filters.lever)
            part.where.append(clause)
            part.params.extend(params)
        if filters.outcome:
            part.where.append("src.outcome = %s")
            part.params.append(filters.outcome)
        if filters.tag:
            part.where.append(_tag_clause())
            part.params.append(filters.tag.strip())
    return parts


def _select(part: _Part, words: list[str]) -> tuple[str, list[Any]]:
    """One table's matching rows as (kind, id, rank, created_at); rank lower is better."""
    where = " AND ".join(part.where)
    head = f"SELECT '{part.kind}' AS kind, src.id AS id"
    if not words:
        sql = f"{head}, 0.0 AS rank, src.created_at AS created_at FROM {part.table} src"
        return f"{sql} WHERE {where}", part.params
    if connection.vendor == "postgresql":
        return (
            f"{head}, -ts_rank(src.search_vector, q.query) AS rank, src.created_at AS created_at"
            f" FROM {part.table} src,"
            " websearch_to_tsquery('english'::regconfig, %s) AS q(query)"
            f" WHERE src.search_vector @@ q.query AND {where}",
            [_websearch_query(words), *part.params],
        )
    # Learnings are indexed under their id, results under its negation (see migration 0003).
    if part.kind == LEARNING:
        rowid, sign = "reviews_databank_fts.rowid", "> 0"
    else:
        rowid, sign = "-reviews_databank_fts.rowid", "< 0"
    # CROSS JOIN fixes the order: the full-text match drives and each match finds its row by
    # primary key. Left to itself SQLite may walk the organisation's rows and run the match
    # once for each of them.
    return (
        f"{head}, bm25(reviews_databank_fts) AS rank, src.created_at AS created_at"
        f" FROM reviews_databank_fts CROSS JOIN {part.table} src ON src.id = {rowid}"
        f" WHERE reviews_databank_fts MATCH %s AND reviews_databank_fts.rowid {sign}"
        f" AND {where}",
        [_fts_query(words), *part.params],
    )


def _ranked(
    access: Access, words: list[str], filters: Filters, limit: int, offset: int
) -> tuple[list[tuple[str, int, float]], int]:
    """The page's (kind, id, rank) in rank order, and the count of every match."""
    selects = [_select(part, words) for part in _parts(access, filters)]
    if not selects:  # a tag (learnings only) with an outcome (results only): nothing can match
        return [], 0
    union = " UNION ALL ".join(sql for sql, _ in selects)
    params = [p for _, chunk in selects for p in chunk]
    sql = (
        f"SELECT kind, id, rank, COUNT(*) OVER () FROM ({union}) found"
        " ORDER BY rank, created_at DESC, kind, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if rows or offset == 0:
            return [(k, i, -float(r) or 0.0) for k, i, r, _ in rows], rows[0][3] if rows else 0
        # Past the last page the window has no row to carry the count: ask for it alone.
        cursor.execute(f"SELECT COUNT(*) FROM ({union}) found", params)
        return [], cursor.fetchone()[0]


def _records(ranked: list[tuple[str, int, float]]) -> dict[tuple[str, int], Any]:
    """The ranked records with what the results page shows joined in (two queries at most)."""
    wanted = {kind: [i for k, i, _ in ranked if k == kind] for kind in (LEARNING, RESULT) if ranked}
    found: dict[tuple[str, int], Any] = {}
    if wanted.get(LEARNING):
        learnings = Learning.objects.filter(pk__in=wanted[LEARNING]).select_related(
            "team", "period", "objective", "key_result__objective"
        )
        found.update(((LEARNING, row.pk), row) for row in learnings)
    if wanted.get(RESULT):
        results = InitiativeResult.objects.filter(pk__in=wanted[RESULT]).select_related(
            "team", "period", "key_result__objective", "initiative__objective"
        )
        found.update(((RESULT, row.pk), row) for row in results)
    return found


def _body(record: Learning | InitiativeResult) -> str:
    """The text a record's snippet is cut from (its tags and copied titles left out)."""
    if isinstance(record, Learning):
        return record.text
    pieces = (record.expected_effect, record.observed_effect, record.note)
    return " · ".join(piece for piece in pieces if piece)


def _marked(ranked: list[tuple[str, int, float]], words: list[str]) -> dict[tuple[str, int], str]:
    """Snippets with matches between START and STOP, from the engine (one query)."""
    if not ranked or not words:
        return {}
    if connection.vendor == "postgresql":
        return _headlines(ranked, words)
    rowids = [i if k == LEARNING else -i for k, i, _ in ranked]
    marks = ", ".join(["%s"] * len(rowids))
    sql = (
        f"SELECT rowid, snippet(reviews_databank_fts, 0, '{START}', '{STOP}', '…',"
        f" {SNIPPET_WORDS}) FROM reviews_databank_fts"
        f" WHERE reviews_databank_fts MATCH %s AND rowid IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts_query(words), *rowids])
        return {(LEARNING if r > 0 else RESULT, abs(r)): text for r, text in cursor.fetchall()}


def _headlines(
    ranked: list[tuple[str, int, float]], words: list[str]
) -> dict[tuple[str, int], str]:
    """PostgreSQL's ts_headline of each ranked record, computed for the page only."""
    options = f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=10"
    result_body = (
        "concat_ws(' · ', NULLIF(src.expected_effect, ''), NULLIF(src.observed_effect, ''),"
        " NULLIF(src.note, ''))"
    )
    selects = [
        f"SELECT '{kind}', src.id, ts_headline('english'::regconfig, {body}, q.query, %s)"
        f" FROM {table} src, websearch_to_tsquery('english'::regconfig, %s) AS q(query)"
        " WHERE src.id = ANY(%s)"
        for kind, table, body in (
            (LEARNING, Learning._meta.db_table, "src.text"),
            (RESULT, InitiativeResult._meta.db_table, result_body),
        )
    ]
    query = _websearch_query(words)
    params = [
        value
        for kind in (LEARNING, RESULT)
        for value in (options, query, [i for k, i, _ in ranked if k == kind])
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return {(kind, i): text for kind, i, text in cursor.fetchall()}


def _parts_of(marked: str) -> list[tuple[str, bool]]:
    """A marked snippet as (text, is a match) pieces."""
    pieces: list[tuple[str, bool]] = []
    for index, chunk in enumerate(re.split(f"[{START}{STOP}]", marked)):
        if chunk:
            pieces.append((chunk, index % 2 == 1))
    return pieces


def _plain(record: Learning | InitiativeResult, width: int = 220) -> list[tuple[str, bool]]:
    text = _body(record) or str(record)
    return [(text if len(text) <= width else text[: width - 1].rstrip() + "…", False)]


def search(
    access: Access,
    query: str = "",
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page:
    """A page of the organisation's learnings and initiative results matching `query`.

    Best matches first; an empty query lists the newest records. A query with nothing to
    search for (only operators, punctuation or stop words) finds nothing. Runs at most four
    queries whatever the data bank's size.
    """
    filters = filters or Filters()
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    words = terms(query)
    if query.strip() and not words:
        return Page([], 0, limit, offset, [])
    ranked, count = _ranked(access, words, filters, limit, offset)
    records = _records(ranked)
    marked = _marked(ranked, words)
    hits = []
    for kind, pk, rank in ranked:
        record = records.get((kind, pk))
        if record is None:  # deleted between the two queries
            continue
        text = marked.get((kind, pk))
        snippet = _parts_of(text) if text else _plain(record)
        hits.append(Hit(kind, rank, snippet, record))
    return Page(hits, count, limit, offset, words)


def suggestions(access: Access, title: str, limit: int = 5) -> list[Hit]:
    """The records most like an objective's title as it is being typed (none when empty)."""
    if not terms(title):
        return []
    return search(access, title, limit=limit).hits


def data_bank_key_results(access: Access) -> QuerySet[KeyResult]:
    """The organisation's key results that some learning or initiative result is about."""
    org = access.organization
    learnt = Learning.objects.filter(organization=org, key_result__isnull=False)
    measured = InitiativeResult.objects.filter(organization=org, key_result__isnull=False)
    about = Q(pk__in=learnt.values("key_result_id")) | Q(pk__in=measured.values("key_result_id"))
    return (
        KeyResult.objects.filter(about, objective__organization=org)
        .select_related("objective")
        .order_by("objective__title", "position", "slug")
    )
