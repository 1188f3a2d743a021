"""Notifications: aligned teams are told of changes, the notification centre and its badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from constellation.server.errors import Conflict
from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.okrs.actions import (
    KeyResultEdit,
    ObjectiveEdit,
    do_edit_key_result,
    do_edit_objective,
)
from constellation.server.okrs.models import Alignment, Objective
from constellation.server.okrs.notices import notify_aligned
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team
from constellation.server.quarterly.actions import do_finish_review
from constellation.server.quarterly.models import ObjectiveReview
from tests.server.bulk import add_objectives
from tests.server.factories import World, make_objective, make_user

ALIGNED = Notification.Kind.ALIGNED_CHANGE


def centre_url(org: str = "acme") -> str:
    return reverse("notifications", kwargs={"org": org})


def open_url(pk: int, org: str = "acme") -> str:
    return reverse("notification-open", kwargs={"org": org, "notification_id": pk})


def read_url(pk: int, org: str = "acme") -> str:
    return reverse("notification-read", kwargs={"org": org, "notification_id": pk})


def read_all_url(org: str = "acme") -> str:
    return reverse("notifications-read-all", kwargs={"org": org})


def notify(world: World, person: object, count: int = 1, **extra: object) -> list:
    """`count` notifications for one person in Acme, oldest first."""
    made = [
        do_notify(
            world.org,
            [person],
            extra.get("kind", Notification.Kind.OTHER),
            f"Note {n}",
            body=f"Body {n}",
            url=str(extra.get("url", "/o/acme/objectives/activation/")),
        )[0]
        for n in range(count)
    ]
    # Distinct times, so "newest first" is observable.
    for n, note in enumerate(made):
        Notification.objects.filter(pk=note.pk).update(
            created_at=timezone.now() - timedelta(minutes=count - n)
        )
    return made


def edit(world: World, objective: Objective, actor: object, **changes: object) -> Objective:
    access = access_org(actor, "acme")
    objective.refresh_from_db()
    do_edit_objective(
        access,
        objective,
        ObjectiveEdit(**changes),  # type: ignore[arg-type]
        expected_version=objective.version,
        actor=actor,
    )
    return objective


def finish_review(world: World, objective: Objective) -> None:
    """Close an objective the only way there is: its team's quarterly review, finished."""
    ObjectiveReview.objects.create(
        organization=world.org, objective=objective, decision=ObjectiveReview.Decision.DONE
    )
    access = access_org(world.leader, "acme")
    do_finish_review(access, objective.team, objective.period, world.leader)


@pytest.fixture
def retention(world: World) -> Objective:
    """The company objective that activation (owned by member) aligns to."""
    return Objective.objects.get(organization=world.org, slug="retention")


# Told when something they align to changes


def test_owners_of_aligned_objectives_are_told_what_changed_with_a_link(
    world: World, retention: Objective
) -> None:
    edit(world, retention, world.leader, title="Customers stay and grow with us")
    note = Notification.objects.get(kind=ALIGNED)
    assert note.recipient == world.member
    assert note.actor == world.leader
    assert note.organization == world.org
    assert (
        note.title == "“Customers stay and grow with us”, which your objective aligns to, changed"
    )
    assert "title: Customers stay with us → Customers stay and grow with us" in note.body
    assert "“New teams get to value in their first week”" in note.body
    assert note.url == "/o/acme/objectives/retention/"


def test_a_pivot_and_its_reason_are_told(world: World, retention: Objective) -> None:
    Objective.objects.filter(pk=retention.pk).update(state="launched")
    retention.refresh_from_db()
    access = access_org(world.leader, "acme")
    do_edit_objective(
        access,
        retention,
        ObjectiveEdit(title="Customers stay and grow"),
        expected_version=retention.version,
        actor=world.leader,
        reason="reviewed with the board",
    )
    body = Notification.objects.get(kind=ALIGNED).body
    assert "title: Customers stay with us → Customers stay and grow" in body
    assert "why: reviewed with the board" in body


def test_a_move_to_another_team_names_the_team(world: World, retention: Objective) -> None:
    edit(world, retention, world.leader, team=world.team)
    assert "moved to the team Growth" in Notification.objects.get(kind=ALIGNED).body


def test_the_actor_is_never_told_of_their_own_change(world: World, retention: Objective) -> None:
    Membership.objects.get(organization=world.org, user=world.member).teams.add(retention.team)
    edit(world, retention, world.member, title="Customers stay longer")
    assert not Notification.objects.filter(kind=ALIGNED).exists()


def test_a_change_nobody_aligned_cares_about_tells_nobody(
    world: World, retention: Objective
) -> None:
    edit(world, retention, world.leader, owner=world.admin)
    edit(world, world.objective, world.leader, title="Nothing aligns to this one")
    assert not Notification.objects.filter(kind=ALIGNED).exists()


def test_a_key_result_change_tells_who_aligns_to_its_objective(world: World) -> None:
    platform = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    mine = make_objective(
        world.org, platform, world.period, "uptime", "Always up", owner=world.leader
    )
    Alignment.objects.create(source=mine, target=world.objective)
    access = access_org(world.member, "acme")
    kr = world.key_result
    do_edit_key_result(
        access, kr, KeyResultEdit(target=60.0), expected_version=kr.version, actor=world.member
    )
    note = Notification.objects.get(kind=ALIGNED)
    assert note.recipient == world.leader
    assert "key result “Raise week-1 activation from 34% to 50%”: target: 50 → 60" in note.body
    assert note.url == "/o/acme/objectives/activation/"


def test_an_ownerless_aligned_objective_tells_its_team_leaders(
    world: World, retention: Objective
) -> None:
    platform = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    make_objective(world.org, platform, world.period, "uptime", "Always up")
    Alignment.objects.create(source=Objective.objects.get(slug="uptime"), target=retention)
    Membership.objects.get(organization=world.org, user=world.leader).teams.add(platform)
    Membership.objects.get(organization=world.org, user=world.viewer).teams.add(platform)
    edit(world, retention, world.admin, title="Customers stay")
    told = set(
        Notification.objects.filter(kind=ALIGNED).values_list("recipient__username", flat=True)
    )
    assert told == {"member", "leader"}


def test_closed_objectives_and_people_who_left_are_not_told(
    world: World, retention: Objective
) -> None:
    gone = make_user("gone")
    old = make_objective(
        world.org, world.team, world.period, "old", "Old", owner=world.leader, state="closed"
    )
    left = make_objective(world.org, world.team, world.period, "left", "Left", owner=gone)
    Alignment.objects.bulk_create(
        [Alignment(source=old, target=retention), Alignment(source=left, target=retention)]
    )
    edit(world, retention, world.admin, title="Customers stay")
    told = list(
        Notification.objects.filter(kind=ALIGNED).values_list("recipient__username", flat=True)
    )
    assert told == ["member"]


def test_a_refused_concurrent_edit_tells_nobody(world: World, retention: Objective) -> None:
    access = access_org(world.leader, "acme")
    with pytest.raises(Conflict):
        do_edit_objective(
            access, retention, ObjectiveEdit(title="Stale"), expected_version=99, actor=world.leader
        )
    assert not Notification.objects.exists()


def test_telling_runs_the_same_queries_for_10_and_300_aligned_objectives(
    world: World,
) -> None:
    add_objectives(world, 10)  # all owned by member, all aligned to activation
    with CaptureQueriesContext(connection) as few:
        edit(world, world.objective, world.leader, title="Version two")
    add_objectives(world, 290, start=10)
    with CaptureQueriesContext(connection) as many:
        edit(world, world.objective, world.leader, title="Version three")
    assert len(many) == len(few)
    assert Notification.objects.filter(kind=ALIGNED, recipient=world.member).count() == 2


def test_other_actions_can_tell_aligned_owners_in_their_own_words(
    world: World, retention: Objective
) -> None:
    sent = notify_aligned(retention, "key result added: “Net revenue retention 110%”", world.admin)
    assert [n.recipient for n in sent] == [world.member]
    assert "key result added: “Net revenue retention 110%”" in sent[0].body
    assert notify_aligned(retention, [], world.admin) == []


# Emails leave only after the transaction commits


def test_closing_an_objective_emails_aligned_owners_after_commit(
    world: World, retention: Objective, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        finish_review(world, retention)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["member@example.com"]
    assert "Customers stay with us" in mail.subject
    assert "state: closed (quarterly review)" in mail.body
    assert "/o/acme/objectives/retention/" in mail.body


def test_a_rolled_back_action_sends_nothing_and_leaves_no_notification(
    world: World, retention: Objective, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        finish_review(world, retention)
        assert Notification.objects.filter(kind=ALIGNED).exists()
        raise RuntimeError("something later in the same action failed")
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()
    retention.refresh_from_db()
    assert retention.state == "draft"


def test_a_plain_title_change_is_told_in_the_app_only(
    world: World, retention: Objective, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, retention, world.leader, title="Customers stay")
    assert Notification.objects.filter(kind=ALIGNED).count() == 1
    assert mailoutbox == []


# The notification centre


def test_the_centre_lists_only_my_notifications_newest_first(client, world: World) -> None:
    notify(world, world.member, 3)
    notify(world, world.leader, 1)
    do_notify(world.other_org, [world.member], "other", "Globex secret note")
    client.force_login(world.member)
    response = client.get(centre_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Note 2") < html.index("Note 1") < html.index("Note 0")
    assert "Globex secret note" not in html
    assert [n.recipient for n in response.context["page"].object_list] == [world.member] * 3


def test_unread_ones_say_so_in_words(client, world: World) -> None:
    first, second = notify(world, world.member, 2)
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    client.force_login(world.member)
    html = client.get(centre_url()).content.decode()
    unread = html[html.index(f'id="notification-{second.pk}"') :].split("</li>")[0]
    read = html[html.index(f'id="notification-{first.pk}"') :].split("</li>")[0]
    assert 'class="notification card unread"' in html
    assert "Unread" in unread and "Mark as read" in unread
    assert ">Read<" in read and "Mark as read" not in read


def test_the_centre_is_paginated_and_odd_page_numbers_never_crash(client, world: World) -> None:
    notify(world, world.member, 30)
    client.force_login(world.member)
    first = client.get(centre_url())
    assert len(first.context["page"].object_list) == 25
    assert 'rel="next"' in first.content.decode()
    second = client.get(centre_url(), {"page": "2"})
    assert [n.title for n in second.context["page"].object_list] == [
        f"Note {n}" for n in range(4, -1, -1)
    ]
    for page in ("abc", "999", "-1", "0"):
        assert client.get(centre_url(), {"page": page}).status_code == 200


def test_the_centre_can_show_unread_ones_only(client, world: World) -> None:
    first, _ = notify(world, world.member, 2)
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    client.force_login(world.member)
    response = client.get(centre_url(), {"unread": "1"})
    assert [n.title for n in response.context["page"].object_list] == ["Note 1"]


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(client, world: World) -> None:
    (note,) = notify(world, world.member)
    client.force_login(world.member)
    response = client.get(open_url(note.pk))
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/objectives/activation/"
    note.refresh_from_db()
    assert note.is_read


def test_a_notification_never_leads_off_the_site(client, world: World) -> None:
    (note,) = notify(world, world.member, url="https://evil.example/")
    (slashes,) = notify(world, world.member, url="//evil.example/")
    client.force_login(world.member)
    for pk in (note.pk, slashes.pk):
        assert client.get(open_url(pk))["Location"] == centre_url()


def test_someone_elses_notification_is_a_404_and_stays_unread(client, world: World) -> None:
    (theirs,) = notify(world, world.leader)
    (globex,) = do_notify(world.other_org, [world.member], "other", "Globex note")
    client.force_login(world.member)
    assert client.get(open_url(theirs.pk)).status_code == 404
    assert client.post(read_url(theirs.pk)).status_code == 404
    assert client.get(open_url(globex.pk)).status_code == 404
    assert client.get(open_url(globex.pk, "globex")).status_code == 404
    theirs.refresh_from_db()
    globex.refresh_from_db()
    assert not theirs.is_read and not globex.is_read


def test_marking_one_read_and_then_all(client, world: World) -> None:
    notes = notify(world, world.member, 3)
    (theirs,) = notify(world, world.leader)
    client.force_login(world.member)
    response = client.post(read_url(notes[0].pk), {"page": "1"})
    assert response.status_code == 302
    assert response["Location"] == centre_url() + "?page=1"
    assert Notification.objects.filter(recipient=world.member, read_at__isnull=True).count() == 2
    response = client.post(read_all_url())
    assert response.status_code == 302
    assert "Marked 2 notifications as read." in client.get(centre_url()).content.decode()
    assert not Notification.objects.filter(recipient=world.member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_viewers_have_their_own_notification_centre(client, world: World) -> None:
    (note,) = notify(world, world.viewer)
    client.force_login(world.viewer)
    assert "Note 0" in client.get(centre_url()).content.decode()
    assert client.post(read_url(note.pk)).status_code == 302
    note.refresh_from_db()
    assert note.is_read


def test_outsiders_get_404_and_change_nothing(client, world: World) -> None:
    (note,) = notify(world, world.member)
    client.force_login(world.outsider)
    assert client.get(centre_url()).status_code == 404
    assert client.get(open_url(note.pk)).status_code == 404
    assert client.post(read_url(note.pk)).status_code == 404
    assert client.post(read_all_url()).status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_mark_addresses_only_take_a_post(client, world: World) -> None:
    (note,) = notify(world, world.member)
    client.force_login(world.member)
    assert client.get(read_url(note.pk)).status_code == 405
    assert client.get(read_all_url()).status_code == 405


def test_the_centre_runs_the_same_queries_for_5_and_200_notifications(client, world: World) -> None:
    client.force_login(world.member)
    notify(world, world.member, 5, kind=ALIGNED)
    Notification.objects.update(actor=world.leader)
    client.get(centre_url())
    with CaptureQueriesContext(connection) as few:
        client.get(centre_url())
    notify(world, world.member, 195)
    Notification.objects.update(actor=world.leader)
    with CaptureQueriesContext(connection) as many:
        response = client.get(centre_url(), {"page": "3"})
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)


# The badge in the navigation


def test_every_page_shows_the_unread_count_with_words(client, world: World) -> None:
    notify(world, world.member, 2)
    do_notify(world.other_org, [world.member], "other", "Globex note")
    client.force_login(world.member)
    for url in ("/o/acme/", "/o/acme/objectives/activation/", "/o/acme/tokens/", centre_url()):
        html = client.get(url).content.decode()
        assert (
            'Notifications <span class="badge" id="unread-badge">2'
            '<span class="visually-hidden"> unread</span></span>'
        ) in html, url
    client.post(read_all_url())
    html = client.get("/o/acme/").content.decode()
    assert 'id="unread-badge"' not in html
    assert 'Notifications<span class="visually-hidden"> (none unread)</span>' in html


def test_the_badge_costs_one_query_whatever_the_count(client, world: World) -> None:
    client.force_login(world.member)
    notify(world, world.member, 3)
    for expected in (3, 150):
        if expected == 150:
            notify(world, world.member, 147)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(centre_url()).content.decode()
        counted = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "read_at" in q["sql"]]
        badge = [sql for sql in counted if "IS NULL" in sql]
        assert len(badge) == 1
        assert f'id="unread-badge">{expected}<' in html
