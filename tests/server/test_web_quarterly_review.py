"""The quarterly review page: grades, decisions, reflection, learnings, results, carry-over."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)
from tests.server.factories import World, make_key_result, make_objective
from tests.server.sharing_factories import join

PAGE = "/o/acme/teams/growth/quarterly-review/2026-Q4/"
OBJECTIVE = PAGE + "objectives/activation/"


@pytest.fixture(autouse=True)
def _member_of_growth(world: World) -> None:
    """The member is in Growth: only a team's own people write its quarterly review."""
    join(world, world.member, world.team)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _launch(world: World) -> Initiative:
    """Launch the world's objective and give it an initiative moving its first key result."""
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    initiative.moves.add(world.key_result)
    return initiative


def _review(client: Client, **fields: str) -> object:
    body = {"grade_override": "0.5", "decision": "", "note": "", "version": "0", **fields}
    return client.post(OBJECTIVE, body)


def test_the_page_shows_each_objective_with_the_engines_grade(world: World) -> None:
    _launch(world)
    html = _client(world.member).get(PAGE).content.decode()
    assert "Quarterly review of Growth" in html
    assert "New teams get to value in their first week" in html
    # 41 of 34→50 and 2 of 3→1: progress 0.47, graded 0.5 by the core engine.
    assert '<span class="computed-grade">0.5</span>' in html
    assert 'value="0.5"' in html
    assert "Finish the review" in html


def test_the_team_page_and_the_dashboard_link_to_the_review(world: World) -> None:
    client = _client(world.member)
    assert PAGE in client.get("/o/acme/teams/growth/?period=2026-Q4").content.decode()
    assert PAGE in client.get("/o/acme/?period=2026-Q4").content.decode()


def test_changing_the_grade_needs_a_reason_and_keeps_what_was_typed(world: World) -> None:
    _launch(world)
    response = _review(_client(world.member), grade_override="0.8", note="kept note")
    assert response.status_code == 422
    html = response.content.decode()
    assert "say why the grade differs from the computed one" in html
    assert 'value="0.8"' in html
    assert "kept note" in html
    assert not ObjectiveReview.objects.exists()


def test_a_changed_grade_with_a_reason_is_saved_and_audited(world: World) -> None:
    _launch(world)
    response = _review(
        _client(world.member),
        grade_override="0.8",
        override_reason="The wizard shipped late but activation jumped",
        decision="carry_over",
    )
    assert response.status_code == 302
    review = ObjectiveReview.objects.get(objective=world.objective)
    assert (review.computed_grade, review.grade_override, review.decision) == (
        0.5,
        0.8,
        "carry_over",
    )
    assert review.grade == 0.8
    assert review.version == 1
    assert AuditEvent.objects.filter(object_type="objectivereview", action="create").exists()
    html = _client(world.member).get(PAGE).content.decode()
    assert "changed from 0.5: The wizard shipped late but activation jumped" in html


def test_keeping_the_computed_grade_needs_no_reason(world: World) -> None:
    _launch(world)
    assert _review(_client(world.member), decision="done").status_code == 302
    review = ObjectiveReview.objects.get()
    assert review.grade_override is None
    assert review.grade == review.computed_grade == 0.5


def test_a_stale_review_is_refused_with_409_and_the_input_kept(world: World) -> None:
    _launch(world)
    client = _client(world.member)
    _review(client, decision="done")
    response = _review(client, decision="drop", note="my late note", version="0")
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "my late note" in html
    assert ObjectiveReview.objects.get().decision == "done"


def test_htmx_answers_the_objective_card_with_422_on_errors(world: World) -> None:
    _launch(world)
    response = _client(world.member).post(
        OBJECTIVE,
        {"grade_override": "7", "version": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    # Only the card (and the finish section, out of band): nothing typed elsewhere is replaced.
    assert html.lstrip().startswith('<article class="card review-objective" id="review-activation"')
    assert 'id="finish" hx-swap-oob="true"' in html
    assert 'id="reflection"' not in html
    assert "Ensure this value is less than or equal to 1" in html


def test_the_reflection_is_saved_then_version_checked(world: World) -> None:
    client = _client(world.member)
    body = {
        "learned": "Setup is the bottleneck",
        "surprised": "Emails did nothing",
        "differently": "Ship the wizard first",
        "version": "0",
    }
    assert client.post(PAGE + "reflection/", body).status_code == 302
    reflection = TeamReflection.objects.get(team=world.team, period=world.period)
    assert reflection.learned == "Setup is the bottleneck"
    assert reflection.version == 1
    stale = client.post(PAGE + "reflection/", {**body, "learned": "Other"})
    assert stale.status_code == 409
    assert "Other" in stale.content.decode()
    assert TeamReflection.objects.get().learned == "Setup is the bottleneck"


def test_a_learning_links_to_a_key_result_and_an_initiative(world: World) -> None:
    initiative = _launch(world)
    response = _client(world.member).post(
        PAGE + "learnings/",
        {
            "text": "A wizard beats emails",
            "tags": "onboarding, activation ,",
            "key_result": str(world.key_result.pk),
            "initiative": str(initiative.pk),
        },
    )
    assert response.status_code == 302
    learning = Learning.objects.get()
    assert learning.tags == ["onboarding", "activation"]
    assert (learning.objective, learning.key_result, learning.initiative) == (
        world.objective,
        world.key_result,
        initiative,
    )
    html = _client(world.member).get(PAGE).content.decode()
    assert "A wizard beats emails" in html


def test_a_learning_without_text_is_refused_with_its_tags_kept(world: World) -> None:
    response = _client(world.member).post(PAGE + "learnings/", {"text": "", "tags": "pricing"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required" in html
    assert 'value="pricing"' in html
    assert not Learning.objects.exists()


def test_another_organisations_key_result_cannot_be_linked(world: World) -> None:
    response = _client(world.member).post(
        PAGE + "learnings/", {"text": "x", "key_result": str(world.other_key_result.pk)}
    )
    assert response.status_code == 422
    assert not Learning.objects.exists()


def test_an_initiative_result_keeps_expected_and_observed_effects(world: World) -> None:
    initiative = _launch(world)
    response = _client(world.member).post(
        PAGE + "initiative-results/",
        {
            "initiative": str(initiative.pk),
            "key_result": str(world.key_result.pk),
            "expected_effect": "Activation up",
            "expected_value": "16",
            "observed_effect": "Activation up a little",
            "observed_value": "7",
            "outcome": "partly",
        },
    )
    assert response.status_code == 302
    result = InitiativeResult.objects.get()
    assert (result.initiative_title, result.key_result_title) == (
        "Guided setup wizard",
        world.key_result.title,
    )
    assert (result.expected_value, result.observed_value, result.outcome) == (16, 7, "partly")
    initiative.delete()
    result.refresh_from_db()
    assert result.initiative is None
    assert result.initiative_title == "Guided setup wizard"


def test_an_initiative_result_needs_an_initiative(world: World) -> None:
    _launch(world)
    response = _client(world.member).post(
        PAGE + "initiative-results/", {"observed_effect": "typed", "outcome": "worked"}
    )
    assert response.status_code == 422
    assert "typed" in response.content.decode()
    assert not InitiativeResult.objects.exists()


def test_finishing_closes_and_carries_over_into_the_next_period(world: World) -> None:
    _launch(world)
    make_objective(world.org, world.team, world.period, "docs", "Docs answer questions")
    rethink = make_objective(world.org, world.team, world.period, "pricing", "Pricing is clear")
    make_key_result(rethink, "pricing-calls", "Cut pricing calls from 40 to 10", baseline=40)
    client = _client(world.member)
    _review(client, decision="carry_over")
    client.post(
        PAGE + "objectives/docs/", {"grade_override": "0", "decision": "drop", "version": "0"}
    )
    client.post(
        PAGE + "objectives/pricing/",
        {"grade_override": "0", "decision": "rethink", "version": "0"},
    )
    response = client.post(
        PAGE + "finish/",
        {"version-activation": "1", "version-docs": "1", "version-pricing": "1", "confirm": "yes"},
    )
    assert response.status_code == 302
    states = dict(Objective.objects.filter(period=world.period).values_list("slug", "state"))
    assert states["activation"] == states["docs"] == states["pricing"] == "closed"
    following = Period.objects.get(organization=world.org, key="2027-Q1")
    copies = {o.carried_from.slug: o for o in Objective.objects.filter(period=following)}
    assert set(copies) == {"activation", "pricing"}
    assert copies["activation"].state == "draft"
    assert KeyResult.objects.filter(objective=copies["activation"]).count() == 2
    assert not KeyResult.objects.filter(objective=copies["pricing"]).exists()
    html = client.get(PAGE).content.decode()
    assert "This review is finished." in html
    assert f"/o/acme/objectives/{copies['activation'].slug}/" in html
    # Finished, it reads as decided: no form changes it.
    assert "<form" not in html[html.index('id="quarterly-review"') :]
    assert "This review is finished: it reads as it was decided." in html
    # Finished, it takes no more writes: finishing again is refused and carries nothing twice.
    again = client.post(PAGE + "finish/", {"confirm": "yes"})
    assert again.status_code == 409
    assert "is finished, so it can no longer change" in again.content.decode()
    assert Objective.objects.filter(period=following).count() == 2


def test_finishing_asks_for_a_confirmation_and_says_what_it_will_do(world: World) -> None:
    _launch(world)
    client = _client(world.member)
    _review(client, decision="carry_over")
    page = client.get(PAGE).content.decode()
    plan = page[page.index('id="finish"') :]
    assert "carried into 2027-Q1 as a draft with its key results" in plan
    assert 'name="confirm"' in plan
    refused = client.post(PAGE + "finish/", {"version-activation": "1"})
    assert refused.status_code == 422
    assert "Tick “I have read what finishing will do”" in refused.content.decode()
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"


def test_finishing_without_any_decision_says_what_is_missing(world: World) -> None:
    response = _client(world.member).post(PAGE + "finish/", {"confirm": "yes"})
    assert response.status_code == 422
    assert "decide about at least one objective first" in response.content.decode()
    assert Objective.objects.get(pk=world.objective.pk).state == "draft"


def test_finishing_on_a_decision_changed_meanwhile_is_refused(world: World) -> None:
    _launch(world)
    client = _client(world.member)
    _review(client, decision="carry_over")
    _review(client, decision="drop", version="1")
    response = client.post(PAGE + "finish/", {"version-activation": "1", "confirm": "yes"})
    assert response.status_code == 409
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"
    assert not Objective.objects.filter(carried_from=world.objective).exists()


def test_a_viewer_reads_the_review_but_cannot_write(world: World) -> None:
    _launch(world)
    client = _client(world.viewer)
    html = client.get(PAGE).content.decode()
    assert "New teams get to value in their first week" in html
    assert "Save the review of this objective" not in html
    assert _review(client, decision="done").status_code == 403
    assert client.post(PAGE + "finish/", {"confirm": "yes"}).status_code == 403
    assert not ObjectiveReview.objects.exists()


def test_an_outsider_gets_404(world: World) -> None:
    client = _client(world.outsider)
    assert client.get(PAGE).status_code == 404
    assert _review(client, decision="done").status_code == 404


def test_an_unknown_period_or_team_is_404(world: World) -> None:
    client = _client(world.member)
    assert client.get("/o/acme/teams/growth/quarterly-review/2030-Q1/").status_code == 404
    assert client.get("/o/acme/teams/nobody/quarterly-review/2026-Q4/").status_code == 404


def _grow(world: World, prefix: str, size: int) -> None:
    """`size` more objectives with key results, initiatives, reviews, learnings and results."""
    for index in range(size):
        slug = f"{prefix}{index}"
        objective = make_objective(world.org, world.team, world.period, slug, f"Obj {slug}")
        kr = make_key_result(objective, "kr", f"Raise {slug} from 1 to 2", baseline=1, target=2)
        initiative = Initiative.objects.create(objective=objective, title=f"Work {slug}")
        ObjectiveReview.objects.create(
            organization=world.org, objective=objective, computed_grade=0, decision="done"
        )
        Learning.objects.create(
            organization=world.org,
            team=world.team,
            period=world.period,
            text=f"Learnt {slug}",
            tags=["x"],
            key_result=kr,
            initiative=initiative,
        )
        InitiativeResult.objects.create(
            organization=world.org,
            team=world.team,
            period=world.period,
            initiative=initiative,
            initiative_title=initiative.title,
            key_result=kr,
            key_result_title=kr.title,
        )


def test_the_page_runs_the_same_queries_whatever_the_review_size(world: World) -> None:
    client = _client(world.member)
    _grow(world, "small", 1)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    _grow(world, "large", 15)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGE).status_code == 200
    assert len(few) == len(many)


def _carry(world: World, following: Period, prefix: str, count: int) -> None:
    """`count` objectives of the period, each carried over into the following period."""
    for index in range(count):
        slug = f"{prefix}{index}"
        objective = make_objective(world.org, world.team, world.period, slug, f"Obj {slug}")
        make_objective(
            world.org, world.team, following, f"{slug}-next", f"Next {slug}", carried_from=objective
        )


def test_the_page_runs_the_same_queries_whatever_number_of_objectives_were_carried(
    world: World,
) -> None:
    following = Period.objects.create(
        organization=world.org, key="2027-Q1", start="2027-01-01", end="2027-03-31"
    )
    client = _client(world.member)
    _carry(world, following, "small", 1)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    _carry(world, following, "large", 15)
    with CaptureQueriesContext(connection) as many:
        html = client.get(PAGE).content.decode()
    assert "/o/acme/objectives/large14-next/" in html
    assert len(few) == len(many)
