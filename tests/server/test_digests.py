"""Weekly team digests: what moved, what is at risk, open dependencies, once per team and week."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail

from constellation.server.audit.models import AuditEvent
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership, Team
from constellation.server.sharing.models import Dependency
from constellation.server.tracking.models import CheckIn, SentDigest
from constellation.server.worker import digests
from constellation.server.worker.digests import digest_text, send_digests, team_digests
from tests.server.api_helpers import add_objectives
from tests.server.factories import World, make_user

SLOT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 16 November, Acme's cadence
NEXT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def team_world(world: World) -> World:
    """The growth team with the member and a second person; its objective launched."""
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    colleague = make_user("colleague")
    Membership.objects.create(organization=world.org, user=colleague, role="member")
    for person in (world.member, colleague):
        Membership.objects.get(organization=world.org, user=person).teams.add(world.team)
    readings = [
        (date(2026, 11, 2), 38, 6),
        (date(2026, 11, 10), 45, 3),
        (date(2026, 11, 16), 47, 5),
    ]
    CheckIn.objects.bulk_create(
        CheckIn(key_result=world.key_result, checked_on=on, value=value, confidence=confidence)
        for on, value, confidence in readings
    )
    return world


def test_the_digest_says_what_moved_and_what_is_at_risk(team_world: World) -> None:
    [digest] = team_digests(team_world.org, SLOT)
    assert digest.team == team_world.team
    assert (digest.since, digest.until) == (date(2026, 11, 9), date(2026, 11, 16))
    assert sorted(p.username for p in digest.recipients) == ["colleague", "member"]
    title, body = digest_text(team_world.org, digest)
    assert title == "Weekly digest of Growth: 09 Nov to 15 Nov"
    # Only the check-in of the week (the 16th belongs to next week's digest), from the one before.
    assert (
        "- Raise week-1 activation from 34% to 50%: 38% → 45% (+7), confidence 3/10\n"
        "  New teams get to value in their first week"
    ) in body
    # The latest confidence (5, on the slot's day) puts the key result and its objective at risk.
    assert "- New teams get to value in their first week: at risk" in body
    assert "  - Raise week-1 activation from 34% to 50%: at risk" in body


def test_open_dependencies_are_listed_when_the_sharing_app_is_there(
    team_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = Team.objects.get(organization=team_world.org, slug="company")
    Dependency.objects.create(
        organization=team_world.org,
        key_result=team_world.key_result,
        from_team=team_world.team,
        to_team=company,
        need="Two days of data engineering for the activation events",
    )
    [digest] = team_digests(team_world.org, SLOT)
    _, body = digest_text(team_world.org, digest)
    assert "Open dependencies\n- Growth asks Acme: Two days of data engineering" in body
    assert "waiting for an answer" in body

    def missing(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(digests, "importlib", SimpleNamespace(import_module=missing))
    [without] = team_digests(team_world.org, SLOT)
    assert without.dependencies == []


def test_each_team_gets_its_digest_once_per_week_by_email(
    team_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(team_world.org, SLOT) == 1
        assert send_digests(team_world.org, SLOT) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.com", "member@example.com"]
    assert mail.outbox[0].subject == "[Constellation] Weekly digest of Growth: 09 Nov to 15 Nov"
    assert "What moved" in mail.outbox[0].body
    assert mail.outbox[0].body.rstrip().endswith("/o/acme/teams/growth/")
    assert Notification.objects.filter(title__startswith="Weekly digest").count() == 2
    assert SentDigest.objects.get().recipients == 2
    assert AuditEvent.objects.filter(action="send_digest").count() == 1


def test_the_next_digest_starts_where_the_last_one_ended(team_world: World) -> None:
    send_digests(team_world.org, SLOT)
    [digest] = team_digests(team_world.org, NEXT)
    assert digest.since == date(2026, 11, 16)
    _, body = digest_text(team_world.org, digest)
    assert "45% → 47% (+2), confidence 5/10" in body


def test_teams_without_members_or_launched_objectives_get_nothing(world: World) -> None:
    assert team_digests(world.org, SLOT) == []
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    [digest] = team_digests(world.org, SLOT)
    assert digest.objectives == 0
    assert send_digests(world.org, SLOT) == 0  # a draft objective is nothing to report yet


def test_digests_cost_the_same_queries_however_many_objectives(
    team_world: World, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(30) as few:
        assert send_digests(team_world.org, SLOT) == 1
    add_objectives(team_world, 40)
    Objective.objects.filter(slug__startswith="bulk-").update(state=Objective.State.LAUNCHED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert send_digests(team_world.org, NEXT) == 1
    [digest] = team_digests(team_world.org, NEXT)
    assert digest.objectives == 41
