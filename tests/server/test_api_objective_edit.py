"""PATCH an objective: named version or 409, viewers 403, outsiders 404, bad bodies 422."""

from __future__ import annotations

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Objective
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World
from tests.server.sharing_factories import join, make_stakeholder, make_team

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/objectives/activation"


def _unchanged(world: World) -> bool:
    row = Objective.objects.get(pk=world.objective.pk)
    return (row.title, row.version) == (world.objective.title, world.objective.version)


def test_a_member_changes_an_objective_and_it_is_audited(world: World) -> None:
    body = {
        "version": 1,
        "title": "New teams see value on their first day",
        "focus": "both",
        "commitment": "aspirational",
        "owner": "leader",
    }
    response = client_for(world.member, world.org).patch(URL, body)
    assert response.status_code == 200
    assert response.data["version"] == 2
    assert response.data["title"] == body["title"]
    assert (response.data["focus"], response.data["state"]) == ("both", "draft")
    assert response.data["commitment"] == "aspirational"
    assert response.data["owner"] == "leader"
    row = Objective.objects.get(pk=world.objective.pk)
    assert (row.title, row.owner, row.version) == (body["title"], world.leader, 2)
    event = AuditEvent.objects.get(action="update", object_id=row.pk)
    assert event.actor == world.member
    assert event.after["title"] == body["title"]


def test_a_state_change_is_refused_with_how_to_launch_and_nothing_changes(world: World) -> None:
    response = client_for(world.member, world.org).patch(
        URL, {"version": 1, "title": "Launched at last", "state": "launched"}
    )
    assert response.status_code == 422
    item = response.data["errors"][0]
    assert (item["path"], item["loc"]) == ("$.state", ["body", "state"])
    assert "send Growth's drafts for review at /o/acme/teams/growth/send-for-review/" in item["msg"]
    assert _unchanged(world)
    assert not AuditEvent.objects.filter(object_type="objective").exists()
    assert Objective.objects.get(pk=world.objective.pk).state == "draft"


def test_the_current_state_sent_back_is_no_change(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.patch(URL, {"version": 1, "state": "draft", "title": "Same state"})
    assert response.status_code == 200 and response.data["state"] == "draft"


def test_a_state_set_by_the_lifecycle_survives_export(world: World) -> None:
    from constellation.server.plans.transfer import export_org

    join(world, world.member, world.team)
    client = client_for(world.member, world.org)
    sent = client.post("/orgs/acme/review-requests", {"team": "growth", "leaders": ["leader"]})
    assert sent.status_code == 201
    exported = export_org(world.org.slug)
    states = {o.id: o.state for o in exported.objectives}
    assert states["activation"] == "in_review"


def test_a_member_of_another_team_cannot_edit_and_nothing_changes(world: World) -> None:
    stella = make_stakeholder(world, make_team(world))
    response = client_for(stella, world.org).patch(URL, {"version": 1, "title": "Not mine"})
    assert response.status_code == 403
    assert "Only members of Growth" in response.data["detail"]
    assert _unchanged(world)


def test_only_the_fields_sent_change(world: World) -> None:
    response = client_for(world.member, world.org).patch(URL, {"version": 1, "focus": None})
    assert response.status_code == 200
    row = Objective.objects.get(pk=world.objective.pk)
    assert (row.focus, row.title, row.owner) == ("", world.objective.title, world.member)


def test_a_stale_version_is_a_409_and_never_overwrites(world: World) -> None:
    client = client_for(world.member, world.org)
    assert client.patch(URL, {"version": 1, "title": "First edit wins"}).status_code == 200
    response = client.patch(URL, {"version": 1, "title": "Second edit from an old copy"})
    assert response.status_code == 409
    assert response.data["current_version"] == 2
    assert "changed by someone else" in response.data["detail"]
    assert Objective.objects.get(pk=world.objective.pk).title == "First edit wins"


def test_a_viewer_cannot_edit(world: World) -> None:
    response = client_for(world.viewer, world.org).patch(URL, {"version": 1, "title": "Nope"})
    assert response.status_code == 403
    assert "viewer" in response.data["detail"]
    assert _unchanged(world)


def test_an_outsider_gets_404_and_nothing_changes(world: World) -> None:
    response = client_for(world.outsider, world.other_org).patch(URL, {"version": 1, "title": "x"})
    assert response.status_code == 404
    assert _unchanged(world)


def test_no_token_is_a_401(world: World) -> None:
    assert ApiClient().patch(URL, {"version": 1, "title": "x"}).status_code == 401
    assert _unchanged(world)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"title": "No version"}, "$.version"),
        ({"version": "one", "title": "x"}, "$.version"),
        ({"version": 1, "titel": "typo"}, "$.titel"),
        ({"version": 1, "state": "finished"}, "$.state"),
        ({"version": 1, "title": ""}, "$.title"),
        ({"version": 1, "title": None}, "$.title"),
        ({"version": 1, "owner": "nobody-here"}, "$.owner"),
        ({"version": 1, "owner": "outsider"}, "$.owner"),
    ],
)
def test_a_bad_body_is_a_422_with_the_json_path_of_the_field(
    world: World, body: dict, path: str
) -> None:
    response = client_for(world.member, world.org).patch(URL, body)
    assert response.status_code == 422
    assert path in [item["path"] for item in response.data["errors"]]
    item = next(item for item in response.data["errors"] if item["path"] == path)
    assert item["loc"] == ["body", path.removeprefix("$.")]
    assert item["msg"]
    assert _unchanged(world)


def test_an_unknown_objective_is_a_404(world: World) -> None:
    response = client_for(world.member, world.org).patch(
        "/orgs/acme/objectives/nothing", {"version": 1}
    )
    assert response.status_code == 404


def test_a_nul_character_is_422_naming_its_field_and_nothing_is_saved(world: World) -> None:
    # PostgreSQL refuses NUL in text; the client hears which field holds it.
    response = client_for(world.member, world.org).patch(URL, {"version": 1, "title": "a\x00b"})
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.title"
    assert "NUL" in response.data["errors"][0]["msg"]
    assert Objective.objects.get(slug="activation").version == 1


def test_a_nul_character_in_an_id_is_404_and_in_a_filter_422_naming_it(world: World) -> None:
    api = client_for(world.member, world.org)
    assert api.get("/orgs/acme/objectives/a\x00b").status_code == 404
    response = api.get("/orgs/acme/objectives", team="a\x00b")
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "team"
