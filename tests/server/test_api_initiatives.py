"""Initiatives over the API: list, read, create with owner/status/links, PATCH and DELETE with a
version (409 when stale), answers checked against the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, InitiativeLink, Objective
from tests.server.api_helpers import ApiClient, client_for, openapi
from tests.server.factories import World

pytestmark = pytest.mark.django_db

PATH = "/orgs/acme/objectives/activation/initiatives"
LINKS = [
    "https://gitlab.com/acme/app/-/merge_requests/5",
    "https://linear.app/acme/issue/ENG-12/wizard",
]


def _create(member: ApiClient, **body: object) -> dict:
    created = member.post(PATH, {"title": "Guided setup wizard", **body})
    assert created.status_code == 201, created.data
    return created.data


def test_it_creates_one_with_owner_status_and_labelled_links(world: World) -> None:
    member = client_for(world.member, world.org)
    data = _create(member, owner="leader", status="in_progress", links=LINKS)
    assert data["owner"] == "leader" and data["status"] == "in_progress"
    assert data["links"] == [
        {"url": LINKS[0], "kind": "gitlab", "label": "acme/app!5"},
        {"url": LINKS[1], "kind": "linear", "label": "ENG-12"},
    ]
    assert data["version"] == 1 and data["id"] == "guided-setup-wizard"


def test_a_link_that_is_not_a_web_address_is_a_422_naming_the_item(world: World) -> None:
    member = client_for(world.member, world.org)
    refused = member.post(PATH, {"title": "Wizard", "links": [LINKS[0], "ftp://x.example.com"]})
    assert refused.status_code == 422
    error = refused.data["errors"][0]
    assert error["path"] == "$.links[1]" and "http:// or https://" in error["msg"]
    unknown = member.post(PATH, {"title": "Wizard", "owner": "nobody-here"})
    assert unknown.status_code == 422 and unknown.data["errors"][0]["path"] == "$.owner"
    assert not Initiative.objects.exists()


def test_list_and_get_read_it_by_id_or_number(world: World) -> None:
    member = client_for(world.member, world.org)
    data = _create(member, links=LINKS)
    listed = member.get(PATH)
    assert listed.status_code == 200 and listed.data == [data]
    assert member.get(f"{PATH}/guided-setup-wizard").data == data
    assert member.get(f"{PATH}/{data['number']}").data == data
    assert member.get(f"{PATH}/nothing").status_code == 404
    assert member.get(f"{PATH}/99999999999999999999999").status_code == 404


def test_patch_changes_what_it_sends_and_a_stale_version_is_a_409(world: World) -> None:
    member = client_for(world.member, world.org)
    _create(member, links=LINKS)
    one = f"{PATH}/guided-setup-wizard"
    changed = member.patch(one, {"version": 1, "status": "done", "links": LINKS[1:]})
    assert changed.status_code == 200
    assert changed.data["status"] == "done" and changed.data["version"] == 2
    assert [link["label"] for link in changed.data["links"]] == ["ENG-12"]
    assert changed.data["title"] == "Guided setup wizard"
    stale = member.patch(one, {"version": 1, "title": "Mine"})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    cleared = member.patch(one, {"version": 2, "owner": None, "links": []})
    assert cleared.status_code == 200 and cleared.data["links"] == []
    null_title = member.patch(one, {"version": 3, "title": None})
    assert null_title.status_code == 422
    assert AuditEvent.objects.filter(object_type="initiative", action="update").count() == 2


def test_delete_needs_the_current_version_and_a_reason_once_launched(world: World) -> None:
    member = client_for(world.member, world.org)
    _create(member, links=LINKS)
    one = f"{PATH}/guided-setup-wizard"
    assert member.delete(one).status_code == 422
    assert member.delete(f"{one}?version=7").status_code == 409
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    refused = member.delete(f"{one}?version=1")
    assert refused.status_code == 422 and refused.data["errors"][0]["path"] == "reason"
    assert member.delete(f"{one}?version=1&reason=Done+elsewhere").status_code == 204
    assert not Initiative.objects.exists() and not InitiativeLink.objects.exists()
    assert member.get(one).status_code == 404


def test_viewers_read_but_are_refused_writes_and_outsiders_get_404(world: World) -> None:
    member = client_for(world.member, world.org)
    _create(member)
    one = f"{PATH}/guided-setup-wizard"
    viewer = client_for(world.viewer, world.org)
    assert viewer.get(one).status_code == 200
    assert viewer.post(PATH, {"title": "Another"}).status_code == 403
    assert viewer.patch(one, {"version": 1, "status": "done"}).status_code == 403
    assert viewer.delete(f"{one}?version=1").status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    for answer in (
        outsider.get(PATH),
        outsider.get(one),
        outsider.patch(one, {"version": 1, "status": "done"}),
        outsider.delete(f"{one}?version=1"),
    ):
        assert answer.status_code == 404
    assert Initiative.objects.get().status == "planned"


def test_the_list_reads_in_the_same_number_of_queries_for_2_or_20_initiatives(
    world: World,
) -> None:
    member = client_for(world.member, world.org)
    counts = []
    for total in (2, 20):
        while Initiative.objects.count() < total:
            _create(member, links=LINKS, owner="leader", moves=["week1-activation"])
        with CaptureQueriesContext(connection) as queries:
            assert len(member.get(PATH).data) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_operations_are_named_in_camel_case() -> None:
    paths = openapi()["paths"]
    base = "/api/v1/orgs/{org}/objectives/{objective}/initiatives"
    assert paths[base]["get"]["operationId"] == "listInitiatives"
    assert paths[base]["post"]["operationId"] == "createInitiative"
    one = paths[base + "/{initiative}"]
    assert {one[m]["operationId"] for m in ("get", "patch", "delete")} == {
        "getInitiative",
        "updateInitiative",
        "deleteInitiative",
    }
    link = openapi()["components"]["schemas"]["WorkLinkOut"]
    assert set(link["required"]) == {"url", "kind", "label"}
