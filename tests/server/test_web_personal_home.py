"""A person's home: what needs them (each kind appears, links to its page, goes once done),
their objectives and key results with the age of the last check-in, and their teams'."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership
from constellation.server.plans.home import check_in_age
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result, make_objective, make_user
from tests.server.sharing_factories import join, make_dependency, make_review, make_team

URL = "/o/acme/home/"
# A Wednesday in 2026-Q4; the cadence is Monday 09:00 UTC, so the latest check-in time
# was Monday 16 November.
NOW = "2026-11-18T12:00:00"


@pytest.fixture
def home(world: World, settings: Any) -> World:
    """The standard world on a pinned day, with Growth's objective launched."""
    settings.OKR_NOW = NOW
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    world.objective.refresh_from_db()
    return world


def page(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return str(response.content.decode())


def section(html: str, id_: str) -> str:
    """The HTML of the section with this id (up to the next section of the same level)."""
    start = html.index(f'id="{id_}"')
    return html[start : html.index("</section>", start)]


def test_the_root_lands_a_signed_in_person_on_their_home(client: Any, world: World) -> None:
    client.force_login(world.member)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("personal-home", kwargs={"org": "acme"})


def test_outsiders_get_a_404_and_viewers_read_their_home(client: Any, home: World) -> None:
    client.force_login(home.outsider)
    assert client.get(URL).status_code == 404
    html = page(client, home.viewer)
    assert "Nothing needs you right now." in html
    assert "New objective" not in html  # a viewer cannot draft


def test_nothing_needs_a_person_with_nothing_open_and_the_door_to_draft_is_there(
    client: Any, home: World
) -> None:
    html = page(client, home.admin)
    assert "Nothing needs you right now." in html
    assert f'href="/o/acme/draft/new-objective/?period={home.period.key}"' in html


def test_a_review_to_answer_appears_links_to_the_review_and_goes_once_answered(
    client: Any, home: World
) -> None:
    review = make_review(home)
    html = page(client, home.leader)
    reviews = section(html, "needs-reviews")
    assert "Growth’s OKRs for 2026-Q4" in reviews
    answer_url = reverse("review-request", kwargs={"org": "acme", "review_request": review.pk})
    assert f'href="{answer_url}"' in reviews
    assert "Nothing needs you" not in html
    assert "needs-reviews" not in page(client, home.member)  # asked of the leader only

    client.force_login(home.leader)
    answered = client.post(
        reverse("review-request-answer", kwargs={"org": "acme", "review_request": review.pk}),
        {
            "alignment_concerns": "None",
            "additional_context": "",
            "cross_functional_gaps": "",
            "decision": "approved",
            "comment": "Go",
            "version": 1,
        },
    )
    assert answered.status_code == 302
    html = page(client, home.leader)
    assert "needs-reviews" not in html
    assert "Nothing needs you right now." in html


def test_a_request_for_support_appears_for_the_asked_team_and_goes_once_answered(
    client: Any, home: World
) -> None:
    platform = make_team(home)
    join(home, home.leader, platform)
    dependency = make_dependency(home, platform)
    html = page(client, home.leader)
    asked = section(html, "needs-dependencies")
    assert "Growth asks Platform: An onboarding checklist API" in asked
    assert f'href="/o/acme/dependencies/{dependency.pk}/"' in asked
    assert "needs-dependencies" not in page(client, home.member)  # Growth asked, not asked

    client.force_login(home.leader)
    response = client.post(
        f"/o/acme/dependencies/{dependency.pk}/answer/",
        {"decision": "accept", "note": "Sprint 3", "version": 1},
    )
    assert response.status_code == 302
    assert "needs-dependencies" not in page(client, home.leader)


def test_a_check_in_due_appears_links_to_the_key_result_and_goes_once_checked_in(
    client: Any, home: World
) -> None:
    CheckIn.objects.create(key_result=home.key_result, value=38, checked_on=date(2026, 11, 13))
    html = page(client, home.member)
    due = section(html, "needs-check-ins")
    assert "Raise week-1 activation from 34% to 50%" in due
    assert 'href="/o/acme/objectives/activation/#kr-week1-activation"' in due
    assert "checked in 5 days ago" in due
    assert 'href="/o/acme/my-week/"' in due
    # The second key result has no owner: the objective's owner (member) is due it too.
    assert "Cut median time to first dashboard" in due and "never checked in" in due
    assert "needs-check-ins" not in page(client, home.leader)

    client.force_login(home.member)
    for kr in ("week1-activation", "time-to-value"):
        response = client.post(
            reverse("check-in", kwargs={"org": "acme", "slug": "activation", "kr": kr}),
            {"value": "2", "confidence": "7", "checked_on": "2026-11-17"},
        )
        assert response.status_code == 302
    assert "needs-check-ins" not in page(client, home.member)


def test_a_draft_appears_for_the_team_and_the_owner_and_goes_once_sent_on(
    client: Any, home: World
) -> None:
    join(home, home.leader, home.team)
    draft = make_objective(
        home.org, home.team, home.period, "speed", "Dashboards feel instant", owner=home.admin
    )
    for person in (home.leader, home.admin):  # a member of the team; the owner
        drafts = section(page(client, person), "needs-drafts")
        assert "Dashboards feel instant" in drafts
        assert 'href="/o/acme/objectives/speed/draft/"' in drafts
    assert "needs-drafts" not in page(client, home.viewer)

    Objective.objects.filter(pk=draft.pk).update(state=Objective.State.IN_REVIEW)
    assert "needs-drafts" not in page(client, home.leader)


def test_my_key_results_show_status_progress_and_the_age_of_the_last_check_in(
    client: Any, home: World
) -> None:
    CheckIn.objects.create(key_result=home.key_result, value=40, checked_on=date(2026, 11, 15))
    html = page(client, home.member)
    mine = section(html, "my-okrs")
    assert "New teams get to value in their first week" in mine
    assert "you own it" in mine
    assert "checked in 3 days ago" in mine  # the objective's latest, and the key result's
    assert "never checked in" in mine  # the second key result
    assert 'class="status status-' in mine and 'role="progressbar"' in mine
    assert "You own no objective" in section(page(client, home.leader), "my-okrs")


def test_my_teams_objectives_are_listed_compactly(client: Any, home: World) -> None:
    join(home, home.leader, home.team)
    teams = section(page(client, home.leader), "my-teams")
    assert '<a href="/o/acme/teams/growth/">Growth</a>' in teams
    assert 'href="/o/acme/objectives/activation/"' in teams
    assert "not a member of any team" in section(page(client, home.admin), "my-teams")


@pytest.mark.parametrize(
    ("last", "text"),
    [
        (None, "never checked in"),
        (date(2026, 11, 18), "checked in today"),
        (date(2026, 11, 17), "checked in yesterday"),
        (date(2026, 11, 15), "checked in 3 days ago"),
        (date(2026, 10, 28), "checked in 3 weeks ago"),
        (date(2026, 7, 1), "checked in 4 months ago"),
    ],
)
def test_the_age_of_a_check_in_reads_as_words(last: date | None, text: str) -> None:
    assert check_in_age(last, date(2026, 11, 18)) == text


def _grow(world: World, times: int, start: int) -> None:
    """More of everything that shows on the leader's home: teams, objectives, key results
    with check-ins, drafts, reviews and requests for support."""
    for n in range(start, start + times):
        team = make_team(world, f"team-{n}", f"Team {n}")
        join(world, world.leader, team)
        objective = make_objective(
            world.org, team, world.period, f"o-{n}", f"Objective {n}", owner=world.leader,
            state=Objective.State.LAUNCHED,
        )  # fmt: skip
        kr = make_key_result(objective, f"kr-{n}", f"Raise {n} from 1 to 2", baseline=1, target=2)
        CheckIn.objects.create(key_result=kr, value=1, checked_on=date(2026, 11, 10))
        make_objective(world.org, team, world.period, f"d-{n}", f"Draft {n}")
        make_review(world)
        make_dependency(world, team)


def test_the_home_runs_the_same_queries_however_much_there_is(
    client: Any, home: World, django_assert_max_num_queries: Any
) -> None:
    client.force_login(home.leader)
    _grow(home, 2, 0)
    client.get(URL)  # warm what is read once per process
    with django_assert_max_num_queries(30) as few:
        small = client.get(URL)
    _grow(home, 12, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = client.get(URL)
    assert small.status_code == large.status_code == 200
    html = large.content.decode()
    assert "Objective 13" in html and "Draft 13" in html and "Growth asks Team 13" in html
    assert html.count("Growth’s OKRs for 2026-Q4") == 14


def test_a_new_member_with_no_team_gets_a_home(client: Any, home: World) -> None:
    newcomer = make_user("nina")
    Membership.objects.create(organization=home.org, user=newcomer, role="member")
    html = page(client, newcomer)
    assert "Nothing needs you right now." in html
    assert "You own no objective" in html
