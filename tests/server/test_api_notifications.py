"""The caller's notifications over the API: list (unread filter), mark one read, mark all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from tests.server.api_helpers import PROBLEM_404, ApiClient, client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def notify(world: World, person: object, count: int = 1, start: int = 0) -> list[Notification]:
    """`count` notifications for one person in Acme, each a minute newer than the last."""
    made = []
    for n in range(start, start + count):
        (note,) = do_notify(
            world.org,
            [person],
            Notification.Kind.ALIGNED_CHANGE,
            f"Note {n}",
            body="What changed: the title",
            url="/o/acme/objectives/retention/",
            actor=world.leader,
        )
        made.append(note)
    base = timezone.now() - timedelta(days=1)
    for n, note in enumerate(made, start=start):
        Notification.objects.filter(pk=note.pk).update(created_at=base + timedelta(minutes=n))
    return made


def test_it_lists_only_the_callers_notifications_newest_first(world: World) -> None:
    notify(world, world.member, 3)
    notify(world, world.admin, 1)
    do_notify(world.other_org, [world.member], "other", "Globex note")
    response = client_for(world.member, world.org).get("/orgs/acme/notifications")
    assert response.status_code == 200
    assert response.data["count"] == 3
    assert response.data["unread"] == 3
    assert [item["title"] for item in response.data["items"]] == ["Note 2", "Note 1", "Note 0"]
    first = response.data["items"][0]
    assert first["kind"] == "aligned_change"
    assert first["actor"] == "leader"
    assert first["url"] == "/o/acme/objectives/retention/"
    assert first["read"] is False and first["read_at"] is None


def test_unread_filters_and_pages_with_limit_and_offset(world: World) -> None:
    notes = notify(world, world.member, 5)
    Notification.objects.filter(pk=notes[0].pk).update(read_at=timezone.now())
    client = client_for(world.member, world.org)
    unread = client.get("/orgs/acme/notifications", unread="true")
    assert unread.data["count"] == 4
    assert "Note 0" not in [item["title"] for item in unread.data["items"]]
    read = client.get("/orgs/acme/notifications", unread="false")
    assert [item["title"] for item in read.data["items"]] == ["Note 0"]
    assert read.data["unread"] == 4
    page = client.get("/orgs/acme/notifications", limit="2", offset="1")
    assert [item["title"] for item in page.data["items"]] == ["Note 3", "Note 2"]
    assert page.data["count"] == 5


def test_bad_parameters_are_a_422_naming_them(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.get("/orgs/acme/notifications", unread="maybe", limit="0")
    assert response.status_code == 422
    assert {item["path"] for item in response.data["errors"]} == {"unread", "limit"}


def test_marking_one_read(world: World) -> None:
    first, second = notify(world, world.member, 2)
    client = client_for(world.member, world.org)
    response = client.post(f"/orgs/acme/notifications/{first.pk}/read")
    assert response.status_code == 200
    assert response.data["id"] == first.pk
    assert response.data["read"] is True and response.data["read_at"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    again = client.post(f"/orgs/acme/notifications/{first.pk}/read")
    assert again.status_code == 200
    assert again.data["read_at"] == response.data["read_at"]


def test_someone_elses_or_another_orgs_notification_is_a_404(world: World) -> None:
    (theirs,) = notify(world, world.admin)
    (globex,) = do_notify(world.other_org, [world.member], "other", "Globex note")
    client = client_for(world.member, world.org)
    for pk in (theirs.pk, globex.pk, 999_999):
        response = client.post(f"/orgs/acme/notifications/{pk}/read")
        assert response.status_code == 404
        assert response.data == PROBLEM_404
    theirs.refresh_from_db()
    globex.refresh_from_db()
    assert not theirs.is_read and not globex.is_read


def test_read_all_marks_only_the_callers_own(world: World) -> None:
    notify(world, world.member, 3)
    (theirs,) = notify(world, world.admin)
    client = client_for(world.member, world.org)
    response = client.post("/orgs/acme/notifications/read-all")
    assert response.status_code == 200
    assert response.data == {"marked": 3, "unread": 0}
    assert client.get("/orgs/acme/notifications").data["unread"] == 0
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert client.post("/orgs/acme/notifications/read-all").data == {"marked": 0, "unread": 0}


def test_viewers_read_and_mark_their_own(world: World) -> None:
    (note,) = notify(world, world.viewer)
    client = client_for(world.viewer, world.org)
    assert client.get("/orgs/acme/notifications").data["count"] == 1
    assert client.post(f"/orgs/acme/notifications/{note.pk}/read").status_code == 200
    assert client.post("/orgs/acme/notifications/read-all").status_code == 200


def test_outsiders_get_404_and_change_nothing(world: World) -> None:
    (note,) = notify(world, world.member)
    client = client_for(world.outsider, world.other_org)
    assert client.get("/orgs/acme/notifications").status_code == 404
    assert client.post(f"/orgs/acme/notifications/{note.pk}/read").status_code == 404
    assert client.post("/orgs/acme/notifications/read-all").status_code == 404
    # A member's token for Acme does not open Globex either.
    member = client_for(world.member, world.org)
    assert member.get("/orgs/globex/notifications").status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_without_a_token_it_is_a_401(world: World) -> None:
    assert ApiClient().get("/orgs/acme/notifications").status_code == 401


def test_the_list_runs_the_same_queries_for_5_and_300_notifications(world: World) -> None:
    client = client_for(world.member, world.org)
    notify(world, world.member, 5)
    client.get("/orgs/acme/notifications")
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/acme/notifications")
    notify(world, world.member, 295, start=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/orgs/acme/notifications", limit="200")
    assert len(response.data["items"]) == 200
    assert response.data["count"] == 300
    assert len(many) == len(few)


def test_an_offset_beyond_any_database_integer_is_422_naming_it(world: World) -> None:
    api = client_for(world.member, world.org)
    response = api.get("/orgs/acme/notifications", offset=10**30)
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "offset"
