"""The data bank's full-text index over learnings and initiative results.

SQLite: one FTS5 table, `reviews_databank_fts`, kept in step by triggers on both tables
(bulk inserts included). A learning is indexed under its own id as rowid, an initiative
result under its negated id, so both kinds share one index and one bm25 scale.

PostgreSQL: a stored generated `search_vector` column on each table with a GIN index; the
column is computed by the database, so nothing in Python has to keep it in step.
"""

from typing import Any

from django.db import migrations

FTS = "reviews_databank_fts"


def _joined(row: str, *columns: str) -> str:
    """The non-empty columns of `row` (`new` in a trigger) joined with “ · ”."""
    rest = " || ".join(
        f"CASE WHEN {row}.{c} <> '' THEN ' · ' || {row}.{c} ELSE '' END" for c in columns[1:]
    )
    return f"ltrim({row}.{columns[0]} || {rest}, ' ·')"


def _learning(row: str) -> str:
    """A learning's (body, extra): its text, then its tags as words."""
    tags = f"(SELECT group_concat(value, ' ') FROM json_each({row}.tags))"
    return f"{row}.text, COALESCE({tags}, '')"


def _result(row: str) -> str:
    """A result's (body, extra): its effects and note, then the titles it copied."""
    body = _joined(row, "expected_effect", "observed_effect", "note")
    return f"{body}, {row}.initiative_title || ' ' || {row}.key_result_title"


# `body` is what snippets show; `extra` (tags, titles) is searched but never shown as a snippet.
SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(body, extra,"
    " tokenize='porter unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER reviews_learning_fts_insert AFTER INSERT ON reviews_learning BEGIN
        INSERT INTO {FTS}(rowid, body, extra) VALUES (new.id, {_learning("new")}); END""",
    f"""CREATE TRIGGER reviews_learning_fts_update AFTER UPDATE OF text, tags ON reviews_learning
        BEGIN DELETE FROM {FTS} WHERE rowid = old.id;
        INSERT INTO {FTS}(rowid, body, extra) VALUES (new.id, {_learning("new")}); END""",
    f"""CREATE TRIGGER reviews_learning_fts_delete AFTER DELETE ON reviews_learning BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER reviews_result_fts_insert AFTER INSERT ON reviews_initiativeresult BEGIN
        INSERT INTO {FTS}(rowid, body, extra) VALUES (-new.id, {_result("new")}); END""",
    f"""CREATE TRIGGER reviews_result_fts_update AFTER UPDATE OF initiative_title,
        key_result_title, expected_effect, observed_effect, note ON reviews_initiativeresult
        BEGIN DELETE FROM {FTS} WHERE rowid = -old.id;
        INSERT INTO {FTS}(rowid, body, extra) VALUES (-new.id, {_result("new")}); END""",
    f"""CREATE TRIGGER reviews_result_fts_delete AFTER DELETE ON reviews_initiativeresult
        BEGIN DELETE FROM {FTS} WHERE rowid = -old.id; END""",
    # Rows written before this migration.
    f"INSERT INTO {FTS}(rowid, body, extra) SELECT id, {_learning('l')} FROM reviews_learning l",
    f"INSERT INTO {FTS}(rowid, body, extra) SELECT -id, {_result('r')}"
    " FROM reviews_initiativeresult r",
]
SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS reviews_{kind}_fts_{event}"
        for kind in ("learning", "result")
        for event in ("insert", "update", "delete")
    ),
    f"DROP TABLE IF EXISTS {FTS}",
]

POSTGRESQL = [
    """ALTER TABLE reviews_learning ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
        (to_tsvector('english'::regconfig, text || ' ' || tags::text)) STORED""",
    "CREATE INDEX reviews_learning_search ON reviews_learning USING GIN (search_vector)",
    """ALTER TABLE reviews_initiativeresult ADD COLUMN search_vector tsvector GENERATED ALWAYS
        AS (to_tsvector('english'::regconfig, initiative_title || ' ' || key_result_title
        || ' ' || expected_effect || ' ' || observed_effect || ' ' || note)) STORED""",
    "CREATE INDEX reviews_result_search ON reviews_initiativeresult USING GIN (search_vector)",
]
POSTGRESQL_REVERSE = [
    "ALTER TABLE reviews_learning DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE reviews_initiativeresult DROP COLUMN IF EXISTS search_vector",
]


class VendorSQL(migrations.RunSQL):
    """RunSQL that runs only on one database vendor (the other vendors skip it)."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        """Keep the vendor when the operation is written out again."""
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "vendor": self.vendor}

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        """Run the SQL on this vendor only."""
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        """Undo the SQL on this vendor only."""
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_objective_reviews_reflections_initiative_results"),
    ]

    operations = [
        VendorSQL("sqlite", SQLITE, SQLITE_REVERSE),
        VendorSQL("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
    ]
