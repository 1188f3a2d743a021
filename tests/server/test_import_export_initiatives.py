"""Initiatives' owners, statuses and links through the OKR file: import reads them, export
writes them, and a round trip gives back the same initiatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from constellation.core import model
from constellation.core.okrfile import dump_plan, load_file
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, InitiativeLink
from constellation.server.plans.transfer import ImportRefused, export_org, import_plan
from tests.server.factories import World
from tests.server.test_import_export import small_plan

pytestmark = pytest.mark.django_db

LINKS = [
    "https://github.com/acme/app/issues/42",
    "https://acme.atlassian.net/browse/GROW-7",
    "https://docs.example.com/specs/wizard,v2",
]


def _plan(**initiative: object) -> model.Plan:
    fields: dict = {
        "title": "Guided setup wizard",
        "id": "wizard",
        "moves": ["week1-activation"],
        "status": "in_progress",
        "owner": "member",
        "links": LINKS,
    }
    fields.update(initiative)
    extra = model.Initiative(title="Template gallery", status="planned", owner="leader")
    return small_plan(initiatives=[model.Initiative(**fields), extra])


def _initiatives(plan: model.Plan) -> list[tuple]:
    found = plan.objective("activation")
    assert found is not None
    return [(i.id, i.title, i.status, i.owner, i.moves, i.links) for i in found.initiatives]


def test_export_then_import_gives_the_same_initiatives_with_owners_statuses_and_links(
    world: World, tmp_path: Path
) -> None:
    import_plan(_plan(), "acme")
    saved = Initiative.objects.get(slug="wizard")
    assert saved.owner == world.member and saved.status == "in_progress"
    links = list(InitiativeLink.objects.filter(initiative=saved).order_by("position"))
    assert [(link.kind, link.label) for link in links] == [
        ("github", "acme/app#42"),
        ("jira", "GROW-7"),
        ("other", "docs.example.com/specs/wizard,v2"),
    ]
    exported = tmp_path / "acme.yaml"
    exported.write_text(dump_plan(export_org("acme")), encoding="utf-8")
    text = exported.read_text(encoding="utf-8")
    assert "owner: member" in text and "https://acme.atlassian.net/browse/GROW-7" in text
    again = load_file(exported)
    assert _initiatives(again) == _initiatives(_plan())
    report = import_plan(again, "acme")
    assert [c for c in report.changes if c.kind == "initiative"] == []
    assert report.counts()["initiative"]["unchanged"] == 2


def test_changed_links_and_owner_are_replaced_and_audited(world: World) -> None:
    import_plan(_plan(), "acme")
    report = import_plan(_plan(links=LINKS[1:], owner="leader", status="done"), "acme")
    assert report.counts()["initiative"]["updated"] == 1
    saved = Initiative.objects.get(slug="wizard")
    assert saved.owner == world.leader and saved.status == "done"
    assert list(saved.links.values_list("url", flat=True)) == LINKS[1:]
    event = AuditEvent.objects.filter(action="import", object_type="initiative").latest("id")
    assert event.after["links"] == LINKS[1:] and event.before["owner"] == "member"


def test_an_owner_outside_the_organisation_refuses_the_file(world: World) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_plan(_plan(owner="outsider"), "acme")
    assert "owner 'outsider' is not a member" in str(refused.value.problems)
    assert not Initiative.objects.filter(slug="wizard").exists()


def test_a_plan_with_a_link_that_is_not_a_web_address_is_refused(world: World) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_plan(_plan(links=["ftp://files.example.com/a"]), "acme")
    assert "http:// or https://" in str(refused.value.problems)


def test_a_file_without_owners_or_links_imports_as_before(world: World) -> None:
    import_plan(small_plan(initiatives=[model.Initiative(title="Template gallery")]), "acme")
    saved = Initiative.objects.get(title="Template gallery")
    assert saved.owner is None and not saved.links.exists()
