"""Dependencies: a team asks another for support on a key result; that team answers."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.notifications.models import Notification
from constellation.server.sharing.models import Dependency
from tests.server.factories import World
from tests.server.sharing_factories import join, make_dependency, make_stakeholder, make_team

ASK = "/o/acme/objectives/activation/dependencies/new/"
LATER = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def url(dependency: Dependency, action: str = "") -> str:
    name = f"dependency-{action}" if action else "dependency"
    return reverse(name, kwargs={"org": "acme", "dependency": dependency.pk})


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_a_team_member_asks_another_team_and_its_members_are_told(
    client, world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    join(world, world.member, world.team)
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    client.force_login(world.member)
    assert "What you need from them" in client.get(ASK).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ASK,
            {
                "key_result": world.key_result.pk,
                "team": platform.pk,
                "need": "An API to read onboarding progress",
                "needed_by": LATER,
            },
        )
    dependency = Dependency.objects.get()
    assert response.status_code == 302 and response.url == url(dependency)
    assert (dependency.from_team, dependency.to_team) == (world.team, platform)
    assert dependency.needed_by.isoformat() == LATER and dependency.state == "requested"
    told = Notification.objects.get(kind="dependency")
    assert told.recipient == stella and "Growth asks Platform for support" in told.title
    assert [m.to for m in mailoutbox] == [["stella@example.com"]]
    assert AuditEvent.objects.filter(action="ask_dependency", actor=world.member).exists()


def test_the_ask_form_keeps_what_was_typed_and_names_the_bad_field(client, world: World) -> None:
    join(world, world.member, world.team)
    platform = make_team(world)
    client.force_login(world.member)
    body = {"key_result": world.key_result.pk, "team": platform.pk, "need": "  ", "needed_by": ""}
    empty = client.post(ASK, body)
    assert empty.status_code == 422 and 'id="dependency-need-error"' in empty.content.decode()
    body.update(need="Review our event schema", needed_by="2001-01-01")
    past = client.post(ASK, body)
    html = past.content.decode()
    assert past.status_code == 422 and 'id="dependency-needed_by-error"' in html
    assert "Review our event schema" in html and 'value="2001-01-01"' in html
    own = client.post(ASK, {**body, "team": world.team.pk, "needed_by": LATER})
    assert own.status_code == 422  # a team does not ask itself
    assert not Dependency.objects.exists()


def test_the_asked_team_accepts_and_the_asking_team_is_told(
    client, world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    dependency = make_dependency(world, platform)
    client.force_login(stella)
    assert "Answer for Platform" in client.get(url(dependency)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(dependency, "answer"), {"decision": "accept", "note": "Sprint 3", "version": 1}
        )
    assert response.status_code == 302
    dependency.refresh_from_db()
    assert (dependency.state, dependency.answered_by, dependency.note) == (
        "accepted",
        stella,
        "Sprint 3",
    )
    told = Notification.objects.get(kind="dependency")
    assert told.recipient == world.member and "Platform accepted" in told.title
    assert [m.to for m in mailoutbox] == [["member@example.com"]]


def test_declining_needs_a_note_and_keeps_the_choice(client, world: World) -> None:
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    dependency = make_dependency(world, platform)
    client.force_login(stella)
    response = client.post(url(dependency, "answer"), {"decision": "decline", "version": 1})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="dependency-answer-note-error"' in html
    assert 'value="decline" required id="dependency-answer-decision_1" checked' in html
    assert Dependency.objects.get().state == "requested"


def test_a_stale_answer_is_refused(client, world: World) -> None:
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    dependency = make_dependency(world, platform)
    client.force_login(world.leader)  # leaders answer for any team
    first = {"decision": "accept", "note": "", "version": 1}
    assert client.post(url(dependency, "answer"), first).status_code == 302
    client.force_login(stella)
    late = {"decision": "decline", "note": "No capacity", "version": 1}
    response = client.post(url(dependency, "answer"), late)
    assert response.status_code == 409 and "No capacity" in response.content.decode()
    assert Dependency.objects.get().state == "accepted"


def test_only_the_asked_team_answers_viewers_cannot_outsiders_get_404(client, world: World) -> None:
    platform = make_team(world)
    dependency = make_dependency(world, platform)
    body = {"decision": "accept", "note": "", "version": 1}
    join(world, world.member, world.team)  # the asking team, not the asked one
    client.force_login(world.member)
    assert client.post(url(dependency, "answer"), body).status_code == 403
    client.force_login(world.viewer)
    assert client.post(url(dependency, "answer"), body).status_code == 403
    assert client.post(ASK, {"need": "x"}).status_code == 403
    client.force_login(world.outsider)
    for address in (url(dependency), url(dependency, "answer"), ASK):
        assert client.get(address).status_code == 404
    assert client.post(url(dependency, "answer"), body).status_code == 404
    assert Dependency.objects.get().state == "requested"


def test_open_dependencies_show_on_both_teams_and_the_objective(client, world: World) -> None:
    platform = make_team(world)
    open_one = make_dependency(world, platform)
    closed = make_dependency(world, platform)
    Dependency.objects.filter(pk=closed.pk).update(state="declined", need="Declined need")
    client.force_login(world.viewer)
    for team in ("growth", "platform"):
        html = client.get(f"/o/acme/teams/{team}/").content.decode()
        assert url(open_one) in html and "Declined need" not in html
    objective = client.get("/o/acme/objectives/activation/").content.decode()
    assert url(open_one) in objective and url(closed) in objective


def test_dependency_pages_run_the_same_queries_at_any_size(client, world: World) -> None:
    platform = make_team(world)
    first = make_dependency(world, platform)
    client.force_login(world.leader)
    pages = (url(first), "/o/acme/teams/platform/", "/o/acme/objectives/activation/", ASK)
    small = [queries(client, page) for page in pages]
    for n in range(10):
        make_dependency(world, make_team(world, f"team-{n}", f"Team {n}"))
    large = [queries(client, page) for page in pages]
    assert large == small
    assert small[0] <= 10
