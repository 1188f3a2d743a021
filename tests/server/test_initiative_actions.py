"""The one door for initiatives: created with an owner, status and links; edited and deleted
with a version; every write audited; refusals named by field."""

from __future__ import annotations

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, Conflict, ReadOnly
from constellation.server.okrs.initiatives import (
    InitiativeEdit,
    InitiativeInput,
    do_create_initiative,
    do_delete_initiative,
    do_update_initiative,
)
from constellation.server.okrs.models import Initiative, InitiativeLink, Objective
from constellation.server.orgs.access import access_org
from tests.server.factories import World

pytestmark = pytest.mark.django_db

LINKS = ["https://github.com/acme/app/issues/42", "https://acme.atlassian.net/browse/GROW-7"]


def _create(world: World, **fields: object) -> Initiative:
    data = InitiativeInput(title="Guided setup wizard", **fields)  # type: ignore[arg-type]
    return do_create_initiative(
        access_org(world.member, "acme"), world.objective, data, world.member
    )


def test_it_creates_an_initiative_with_owner_status_and_labelled_links(world: World) -> None:
    created = _create(
        world, owner=world.leader, status="in_progress", links=LINKS, moves=[world.key_result]
    )
    assert (created.owner, created.status, created.version) == (world.leader, "in_progress", 1)
    links = list(created.links.order_by("position").values_list("kind", "label", "url"))
    assert links == [("github", "acme/app#42", LINKS[0]), ("jira", "GROW-7", LINKS[1])]
    event = AuditEvent.objects.get(action="create", object_type="initiative")
    assert event.after["links"] == LINKS and event.after["owner"] == world.leader.pk
    assert event.objective_id == world.objective.pk


def test_a_new_initiative_starts_planned(world: World) -> None:
    assert _create(world).status == "planned"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"links": ["ftp://files.example.com/a"]}, "links", "link 1: only web addresses"),
        ({"links": [LINKS[0], "not a link"]}, "links", "link 2"),
        ({"status": "started"}, "status", "planned, in_progress, done, dropped"),
        ({"description": "x" * 5001}, "description", "at most 5000"),
    ],
)
def test_it_refuses_bad_parts_naming_the_field(
    world: World, fields: dict, field: str, words: str
) -> None:
    with pytest.raises(ActionError) as refused:
        _create(world, **fields)
    assert refused.value.field == field and words in refused.value.message
    assert not Initiative.objects.exists()


def test_an_owner_from_another_organisation_is_refused(world: World) -> None:
    with pytest.raises(ActionError) as refused:
        _create(world, owner=world.outsider)
    assert refused.value.field == "owner"


def test_it_updates_fields_and_replaces_links_audited_once(world: World) -> None:
    initiative = _create(world, links=LINKS)
    edit = InitiativeEdit(
        title="Guided setup", status="done", owner=world.member, links=[LINKS[1], LINKS[0]]
    )
    access = access_org(world.member, "acme")
    assert do_update_initiative(access, initiative, edit, expected_version=1, actor=world.member)
    saved = Initiative.objects.get(pk=initiative.pk)
    assert (saved.title, saved.status, saved.owner, saved.version) == (
        "Guided setup",
        "done",
        world.member,
        2,
    )
    assert list(saved.links.values_list("url", flat=True)) == [LINKS[1], LINKS[0]]
    event = AuditEvent.objects.filter(action="update", object_type="initiative").get()
    assert event.before == {
        "title": "Guided setup wizard",
        "status": "planned",
        "owner": None,
        "links": LINKS,
    }
    assert event.after["links"] == [LINKS[1], LINKS[0]] and event.after["status"] == "done"


def test_an_edit_that_changes_nothing_writes_nothing(world: World) -> None:
    initiative = _create(world, links=LINKS)
    edit = InitiativeEdit(title="Guided setup wizard", links=list(LINKS))
    access = access_org(world.member, "acme")
    changed = do_update_initiative(access, initiative, edit, expected_version=1, actor=world.member)
    assert changed is False
    assert Initiative.objects.get(pk=initiative.pk).version == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World) -> None:
    initiative = _create(world)
    access = access_org(world.member, "acme")
    do_update_initiative(
        access, initiative, InitiativeEdit(status="done"), expected_version=1, actor=None
    )
    with pytest.raises(Conflict) as refused:
        do_update_initiative(
            access, initiative, InitiativeEdit(title="Mine"), expected_version=1, actor=None
        )
    assert refused.value.current_version == 2
    assert Initiative.objects.get(pk=initiative.pk).title == "Guided setup wizard"
    with pytest.raises(Conflict):
        do_delete_initiative(access, initiative, expected_version=1, actor=None)
    assert Initiative.objects.filter(pk=initiative.pk).exists()


def test_deleting_keeps_what_it_was_in_the_history(world: World) -> None:
    initiative = _create(world, links=LINKS, moves=[world.key_result])
    access = access_org(world.member, "acme")
    do_delete_initiative(access, initiative, expected_version=1, actor=world.member)
    assert not Initiative.objects.exists() and not InitiativeLink.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="initiative")
    assert event.before["links"] == LINKS
    assert event.before["moves"] == [world.key_result.slug]
    assert event.objective_id == world.objective.pk


def test_a_launched_objectives_initiative_goes_only_with_a_reason(world: World) -> None:
    initiative = _create(world)
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    initiative.objective.refresh_from_db()
    access = access_org(world.member, "acme")
    with pytest.raises(ActionError) as refused:
        do_delete_initiative(access, initiative, expected_version=1, actor=world.member)
    assert refused.value.field == "reason"
    do_delete_initiative(
        access, initiative, expected_version=1, actor=world.member, reason="Done elsewhere"
    )
    assert AuditEvent.objects.get(action="delete").reason == "Done elsewhere"


def test_a_launched_objectives_initiative_changes_status_without_a_reason(world: World) -> None:
    initiative = _create(world)
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    initiative.objective.refresh_from_db()
    access = access_org(world.member, "acme")
    edit = InitiativeEdit(status="in_progress")
    assert do_update_initiative(access, initiative, edit, expected_version=1, actor=None)


def test_a_viewer_changes_nothing(world: World) -> None:
    initiative = _create(world)
    viewer = access_org(world.viewer, "acme")
    with pytest.raises(ReadOnly):
        do_update_initiative(
            viewer, initiative, InitiativeEdit(status="done"), expected_version=1, actor=None
        )
    with pytest.raises(ReadOnly):
        do_delete_initiative(viewer, initiative, expected_version=1, actor=None)
