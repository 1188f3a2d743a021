"""Who may write what a team owns, through the web forms and the API alike.

Every team-owned write is tried by six people: someone of another organisation (404), a viewer
(403), a member of another team (403), a member of the team, a leader and an admin (all three
succeed). A refusal changes nothing: the rows and the audit history are the same afterwards.
The rules live in the actions, so both faces answer the same way.

One cast is built for the whole module and every case runs in its own rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from constellation.core.periods import parse_period
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import NotAllowed, ReadOnly
from constellation.server.kpis.actions import KpiInput, do_create_kpi
from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team, TeamReadiness
from constellation.server.quarterly.models import ObjectiveReview
from constellation.server.sharing.models import Dependency
from constellation.server.strategy.actions import do_create_lever
from constellation.server.tracking.actions import CheckInInput, do_check_ins
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_key_result, make_objective, make_user, make_world
from tests.server.quarterly_factories import reviews_state
from tests.server.sharing_factories import make_team, sharing_state

OUTSIDER, VIEWER, OTHER_TEAM = "outsider", "viewer", "member of another team"
MEMBER, LEADER, ADMIN = "member of the team", "leader", "admin"
ROLES = (OUTSIDER, VIEWER, OTHER_TEAM, MEMBER, LEADER, ADMIN)
WRITERS = (MEMBER, LEADER, ADMIN)


@dataclass
class Cast:
    """Acme with Growth (the team whose writes are tried) and Platform (another team)."""

    world: World
    people: dict[str, User]
    ids: dict[str, Any]

    def user(self, role: str) -> User:
        """The person playing `role`."""
        return self.people[role]


def make_cast() -> Cast:
    """The standard world plus Platform, its member, a member of Growth and a second leader."""
    world = make_world()
    # My week shows the current period, so the world's period becomes today's quarter.
    today = timezone.localdate()
    calendar = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    Period.objects.filter(pk=world.period.pk).update(
        key=calendar.key, start=calendar.start, end=calendar.end
    )
    world.period.refresh_from_db()
    platform = make_team(world)
    people = {
        OUTSIDER: world.outsider,
        VIEWER: world.viewer,
        LEADER: world.leader,
        ADMIN: world.admin,
    }
    for role, username, team, kind in (
        (OTHER_TEAM, "pat", platform, "member"),
        (MEMBER, "gina", world.team, "member"),
        ("reviewer", "lea", None, "leader"),
    ):
        people[role] = make_user(username)
        membership = Membership.objects.create(organization=world.org, user=people[role], role=kind)
        if team is not None:
            membership.teams.add(team)
    uptime = make_objective(world.org, platform, world.period, "uptime", "Customers never wait")
    uptime_kr = make_key_result(uptime, "p95", "Cut p95 latency from 900 ms to 300 ms", target=300)
    dependency = Dependency.objects.create(
        organization=world.org,
        key_result=uptime_kr,
        from_team=platform,
        to_team=world.team,
        need="A status banner in the onboarding flow",
        requested_by=people[OTHER_TEAM],
    )
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    initiative.moves.add(world.key_result)
    reviewer = Membership.objects.get(organization=world.org, user=people["reviewer"])
    ids = {
        "period": world.period.key,
        "objective": world.objective.pk,
        "dependency": dependency.pk,
        "initiative": initiative.pk,
        "reviewer": reviewer.pk,
        "check_in_kr": world.second_key_result.pk,
    }
    return Cast(world, people, ids)


@pytest.fixture(scope="module")
def cast(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cast]:
    """One cast for the module; each test's own transaction is rolled back around it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_cast()
        transaction.set_rollback(True)


# -- the writes ------------------------------------------------------------------------------


def _with_a_decision(cast: Cast, actor: User) -> None:
    """Finishing a review needs at least one decided objective."""
    ObjectiveReview.objects.create(
        organization=cast.world.org,
        objective=cast.world.objective,
        computed_grade=0.5,
        decision="done",
    )


def _owned_by_the_actor(cast: Cast, actor: User) -> None:
    """My week lists only what the person owns."""
    KeyResult.objects.filter(pk=cast.ids["check_in_kr"]).update(owner=actor)


def _nothing(cast: Cast, actor: User) -> None:
    """No preparation."""


@dataclass(frozen=True)
class Write:
    """One team-owned write through one face: where it goes and what it sends."""

    name: str
    method: str
    path: str
    body: Callable[[dict[str, Any]], dict[str, Any]]
    prepare: Callable[[Cast, User], None] = _nothing
    # Whether a member of another team is refused (False only where they own what they write).
    refuses_other_team: bool = True

    @property
    def is_api(self) -> bool:
        """API paths are relative to /api/v1; web paths start with /o/."""
        return self.path.startswith("/orgs/")


QUARTER = "/o/acme/teams/growth/quarterly-review/{period}/"
API_REVIEW = "/orgs/acme/teams/growth/quarterly-reviews/{period}/"
KR_DATA = {"type": "metric", "weight": "1", "owner": "", "kpi": "", "unit": ""}
READINESS = {
    "exploratory": True,
    "measurable_quarterly": False,
    "stable_mission": False,
    "outcome_metrics": False,
}

WRITES = [
    Write(
        "objective edit (web)",
        "post",
        "/o/acme/objectives/activation/edit/",
        lambda ids: {
            "title": "New teams see value on day one",
            "focus": "customer",
            "commitment": "committed",
            "state": "draft",
            "version": "1",
        },
    ),
    Write(
        "objective edit (api)",
        "patch",
        "/orgs/acme/objectives/activation",
        lambda ids: {"version": 1, "title": "New teams see value on day one"},
    ),
    Write(
        "key result create (web)",
        "post",
        "/o/acme/objectives/activation/draft/key-results/new/",
        lambda ids: {
            **KR_DATA,
            "title": "Raise weekly active teams from 120 to 200",
            "baseline": "",
            "target": "",
        },
    ),
    Write(
        "key result create (api)",
        "post",
        "/orgs/acme/objectives/activation/key-results",
        lambda ids: {"title": "Raise weekly active teams from 120 to 200"},
    ),
    Write(
        "key result edit (web)",
        "post",
        "/o/acme/objectives/activation/draft/key-results/week1-activation/edit/",
        lambda ids: {
            **KR_DATA,
            "title": "Raise week-1 activation from 34% to 55%",
            "baseline": "34",
            "target": "55",
            "version": "1",
        },
    ),
    Write(
        "key result edit (api)",
        "patch",
        "/orgs/acme/key-results/activation/week1-activation",
        lambda ids: {"version": 1, "target": 55},
    ),
    Write(
        "initiative create (web)",
        "post",
        "/o/acme/objectives/activation/draft/initiatives/new/",
        lambda ids: {"title": "Guided checklist", "moves": [ids["check_in_kr"]]},
    ),
    Write(
        "check-in on the objective page (web)",
        "post",
        "/o/acme/objectives/activation/key-results/time-to-value/check-ins/",
        lambda ids: {"value": "2.5", "confidence": "6", "note": "matrix"},
    ),
    Write(
        "check-in (api)",
        "post",
        "/orgs/acme/key-results/activation/time-to-value/check-ins",
        lambda ids: {"value": 2.5, "confidence": 6, "note": "matrix"},
    ),
    Write(
        "check-in in My week, on a key result the person owns (web)",
        "post",
        "/o/acme/my-week/",
        lambda ids: {
            f"kr-{ids['check_in_kr']}-value": "2.5",
            f"kr-{ids['check_in_kr']}-confidence": "6",
        },
        prepare=_owned_by_the_actor,
        # Owners check in on their own key results whatever their team (My week lists them).
        refuses_other_team=False,
    ),
    Write(
        "alignment add (web)",
        "post",
        "/o/acme/objectives/activation/alignment/",
        lambda ids: {"target": "uptime"},
    ),
    Write(
        "alignment add (api)",
        "post",
        "/orgs/acme/objectives/activation/aligns-to",
        lambda ids: {"target": "uptime"},
    ),
    Write(
        "review grade and decision (web)",
        "post",
        QUARTER + "objectives/activation/",
        lambda ids: {
            "grade_override": "0.8",
            "override_reason": "The wizard shipped late",
            "decision": "carry_over",
            "note": "",
            "version": "0",
        },
    ),
    Write(
        "review grade and decision (api)",
        "put",
        "/orgs/acme/objectives/activation/quarterly-review",
        lambda ids: {"version": 0, "decision": "carry_over"},
    ),
    Write(
        "reflection (web)",
        "post",
        QUARTER + "reflection/",
        lambda ids: {
            "learned": "Setup is slow",
            "surprised": "",
            "differently": "",
            "version": "0",
        },
    ),
    Write(
        "reflection (api)",
        "put",
        API_REVIEW + "reflection",
        lambda ids: {"version": 0, "learned": "Setup is slow"},
    ),
    Write(
        "learning (web)",
        "post",
        QUARTER + "learnings/",
        lambda ids: {"text": "A wizard helps", "tags": "onboarding"},
    ),
    Write(
        "learning (api)",
        "post",
        "/orgs/acme/learnings",
        lambda ids: {"team": "growth", "period": ids["period"], "text": "A wizard helps"},
    ),
    Write(
        "initiative result (web)",
        "post",
        QUARTER + "initiative-results/",
        lambda ids: {"initiative": str(ids["initiative"]), "outcome": "worked"},
    ),
    Write(
        "initiative result (api)",
        "post",
        "/orgs/acme/initiative-results",
        lambda ids: {
            "team": "growth",
            "period": ids["period"],
            "initiative": ids["initiative"],
            "outcome": "worked",
        },
    ),
    Write(
        "finish the review (web)",
        "post",
        QUARTER + "finish/",
        lambda ids: {"confirm": "yes"},
        prepare=_with_a_decision,
    ),
    Write(
        "finish the review (api)",
        "post",
        API_REVIEW + "finish",
        lambda ids: {},
        prepare=_with_a_decision,
    ),
    Write(
        "readiness (web)",
        "post",
        "/o/acme/teams/growth/readiness/",
        lambda ids: {
            **{name: "yes" if value else "no" for name, value in READINESS.items()},
            "version": "0",
        },
    ),
    Write(
        "readiness (api)",
        "put",
        "/orgs/acme/teams/growth/readiness",
        lambda ids: {**READINESS, "version": 0},
    ),
    Write(
        "send for review (web)",
        "post",
        "/o/acme/teams/growth/send-for-review/?period={period}",
        lambda ids: {
            "objectives": [ids["objective"]],
            "leaders": [ids["reviewer"]],
            "message": "Our draft",
        },
    ),
    Write(
        "send for review (api)",
        "post",
        "/orgs/acme/review-requests",
        lambda ids: {"team": "growth", "period": ids["period"], "leaders": ["lea"]},
    ),
    Write(
        "dependency answer (web)",
        "post",
        "/o/acme/dependencies/{dependency}/answer/",
        lambda ids: {"decision": "accept", "note": "", "version": "1"},
    ),
    Write(
        "dependency answer (api)",
        "post",
        "/orgs/acme/dependencies/{dependency}/answer",
        lambda ids: {"version": 1, "decision": "accept"},
    ),
]


# -- what a refusal must leave alone --------------------------------------------------------


def acme_state(cast: Cast) -> dict[str, Any]:
    """Everything of Acme one of these writes could change, and its audit history."""
    world = cast.world
    org = world.org
    return {
        "objectives": list(
            Objective.objects.filter(organization=org)
            .order_by("pk")
            .values_list("slug", "title", "state", "version")
        ),
        "key_results": list(
            KeyResult.objects.filter(objective__organization=org)
            .order_by("pk")
            .values_list("slug", "title", "target", "current", "version")
        ),
        "check_ins": CheckIn.objects.filter(key_result__objective__organization=org).count(),
        "initiatives": list(
            Initiative.objects.filter(objective__organization=org)
            .order_by("pk")
            .values_list("slug", "title")
        ),
        "alignments": sorted(
            Alignment.objects.filter(source__organization=org).values_list("source", "target")
        ),
        "readiness": TeamReadiness.objects.filter(organization=org).count(),
        "phases": list(Team.objects.filter(organization=org).order_by("pk").values_list("phase")),
        "reviews": reviews_state(world),
        "sharing": sharing_state(world),
        # Tokens made for the test are the caller's own, not a write being tried.
        "audit": AuditEvent.objects.filter(organization=org)
        .exclude(action__contains="token")
        .count(),
    }


def caller(cast: Cast, role: str, write: Write) -> Callable[[str, dict[str, Any]], Any]:
    """Send `write` as the person playing `role`: a session for pages, a token for the API."""
    user = cast.user(role)
    if write.is_api:
        org = cast.world.other_org if role == OUTSIDER else cast.world.org
        api = client_for(user, org)
        return lambda path, body: api.call(write.method, path, body)
    client = Client()
    client.force_login(user)
    return lambda path, body: getattr(client, write.method)(path, body)


def said(response: Any) -> str:
    """What the answer says: a page's text or the API's detail."""
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        return str(data.get("detail", ""))
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_each_role_may_or_may_not_make_each_team_write(
    cast: Cast, db: None, write: Write, role: str
) -> None:
    write.prepare(cast, cast.user(role))
    send = caller(cast, role, write)
    before = acme_state(cast)
    response = send(write.path.format(**cast.ids), write.body(cast.ids))
    status = response.status_code
    allowed = role in WRITERS or (role == OTHER_TEAM and not write.refuses_other_team)
    if allowed:
        assert 200 <= status < 400, f"{role}: {status} {said(response)[:300]}"
        assert acme_state(cast)["audit"] > before["audit"], f"{role}: nothing audited"
        return
    expected = {OUTSIDER: 404, VIEWER: 403, OTHER_TEAM: 403}[role]
    assert status == expected, f"{role}: {status} {said(response)[:300]}"
    assert acme_state(cast) == before
    if role == OTHER_TEAM:
        assert "members of Growth" in said(response)


# -- check-ins: owners, whatever their team; nobody else outside the team --------------------


def test_an_owner_from_another_team_checks_in_on_their_key_result_only(
    cast: Cast, db: None
) -> None:
    pat = cast.user(OTHER_TEAM)
    KeyResult.objects.filter(pk=cast.world.key_result.pk).update(owner=pat)
    api = client_for(pat, cast.world.org)
    mine = api.post("/orgs/acme/key-results/activation/week1-activation/check-ins", {"value": 44})
    assert mine.status_code == 201
    theirs = api.post("/orgs/acme/key-results/activation/time-to-value/check-ins", {"value": 2})
    assert theirs.status_code == 403
    assert (
        "Only the owner of" in theirs.data["detail"]
        and "members of Growth" in theirs.data["detail"]
    )


def test_a_batch_with_one_key_result_not_theirs_records_none(cast: Cast, db: None) -> None:
    pat = cast.user(OTHER_TEAM)
    KeyResult.objects.filter(pk=cast.world.key_result.pk).update(owner=pat)
    owned = KeyResult.objects.get(pk=cast.world.key_result.pk)
    other = KeyResult.objects.get(pk=cast.world.second_key_result.pk)
    before = acme_state(cast)
    with pytest.raises(NotAllowed):
        do_check_ins(
            access_org(pat, "acme"),
            [(owned, CheckInInput(value=44)), (other, CheckInInput(value=2))],
            pat,
        )
    assert acme_state(cast) == before


def test_the_refusal_page_says_which_team_not_that_the_person_is_a_viewer(
    cast: Cast, db: None
) -> None:
    client = Client()
    client.force_login(cast.user(OTHER_TEAM))
    response = client.post(
        QUARTER.format(**cast.ids) + "reflection/", {"learned": "x", "version": "0"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only members of Growth, leaders and admins can write this team" in page
    assert "your role here is viewer" not in page


# -- strategy and KPIs: organisation-wide rules, decided in the actions too ------------------

ORG_WRITES: dict[str, Callable[[Any, User], Any]] = {
    "lever": lambda access, actor: do_create_lever(access, title="Be never down", actor=actor),
    "KPI": lambda access, actor: do_create_kpi(access, KpiInput(title="Uptime"), actor),
}


@pytest.mark.parametrize("kind", ORG_WRITES)
def test_only_leaders_and_admins_shape_strategy_and_kpis_whatever_the_face(
    cast: Cast, db: None, kind: str
) -> None:
    write = ORG_WRITES[kind]
    before = acme_state(cast)
    with pytest.raises(ReadOnly) as viewer:
        write(access_org(cast.user(VIEWER), "acme"), cast.user(VIEWER))
    assert not isinstance(viewer.value, NotAllowed)
    for role in (OTHER_TEAM, MEMBER):
        with pytest.raises(NotAllowed, match="Only leaders and admins"):
            write(access_org(cast.user(role), "acme"), cast.user(role))
    assert acme_state(cast) == before
    for role in (LEADER, ADMIN):
        with transaction.atomic():
            write(access_org(cast.user(role), "acme"), cast.user(role))
            transaction.set_rollback(True)
