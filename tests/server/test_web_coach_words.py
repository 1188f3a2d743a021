"""The coach speaks to people in the web app: titles not ids, the page's words, a fix for each
finding that has one, quiet until a field is touched; and an output with no numbers is offered
a milestone or the objective's initiatives before it is saved (the web form and the API)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from constellation.core.coach import RULES
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from tests.core.test_coach_examples import lint_fragment
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_objective

pytestmark = pytest.mark.django_db

OUTPUT = "Launch the mobile app"
FILE_SYNTAX = re.compile(r"`|\[|\]|\b(levers|initiatives|guardrails|kpis|baseline|target)\s*:")


def url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def visible_text(html: str) -> str:
    """What a person reads: the markup and its attributes left out."""
    return re.sub(r"<[^>]+>", " ", html)


def kr_form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {"title": "", "type": "metric", "weight": "1", "baseline": ""}
    data |= {"target": "", "unit": "", "owner": "", "kpi": ""}
    data.update(extra)
    return data


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_finding_code_reads_in_the_words_of_a_page(world: World, rule_id: str) -> None:
    findings = [f for f in lint_fragment(RULES[rule_id].bad) if f.rule == rule_id]
    assert findings
    page = SimpleNamespace(slug="acme")
    writer = SimpleNamespace(can_write=True)
    for finding in findings:
        try:
            html = render_to_string(
                "web/_finding.html",
                {"finding": finding, "organization": page, "access": writer},
            )
        except NoReverseMatch as error:  # a fix must lead to a door that exists
            pytest.fail(f"{rule_id}: {error}")
        said = visible_text(html)
        assert finding.plain_message[:40].replace("'", "&#x27;") in html
        assert FILE_SYNTAX.search(said) is None, f"{rule_id}: {said}"
        assert "<code>" not in html
        assert f'data-rule="{rule_id}"' in html
        if finding.fix is not None and finding.fix != "add-key-result":
            assert 'class="coach-fixes"' in html, f"{rule_id} offers no fix"


def test_a_new_objective_without_a_lever_is_told_to_tick_one_above(client, world: World) -> None:
    client.force_login(world.member)
    data = {"title": "Teams trust their weekly numbers", "team": world.team.pk}
    data |= {"period": world.period.pk, "commitment": "committed", "touched": "title levers"}
    html = client.post(url("coach-new-objective"), data).content.decode()
    assert 'data-rule="no-strategy-link"' in html
    assert "“Teams trust their weekly numbers” models no strategy lever" in html
    assert "“Win self-serve”" in html
    assert 'href="#id_levers_0">Tick a lever above</a>' in html
    assert "levers: [" not in html and "`" not in html


def test_findings_on_a_saved_objective_name_it_by_its_title(client, world: World) -> None:
    client.force_login(world.member)
    data = {"title": "Launch the billing page", "team": world.team.pk, "period": world.period.pk}
    data |= {"commitment": "committed", "version": 1}
    html = client.post(url("coach-objective", slug="activation"), data).content.decode()
    assert "The objective “Launch the billing page” is a deliverable" in html
    assert 'href="#id_levers_0"' in html and "Rewrite the title above" in html
    assert "'activation'" not in html


def test_a_kept_level_offers_to_become_a_kpi_guardrail(client, world: World) -> None:
    client.force_login(world.member)
    data = kr_form(title="Keep CSAT above 90%", target="90", key_result="week1-activation")
    html = client.post(url("key-result-coach", slug="activation"), data).content.decode()
    assert 'data-rule="kpi-as-kr"' in html
    assert f'href="{url("kpi-new")}">Define it as a KPI</a>' in html
    assert f'href="{url("objective-draft", slug="activation")}#id_guardrails_0"' in html
    assert "`kpis:`" not in html


def test_a_viewer_is_offered_no_fix(world: World) -> None:
    findings = [f for f in lint_fragment(RULES["output-kr"].bad) if f.rule == "output-kr"]
    reader = SimpleNamespace(can_write=False)
    html = render_to_string(
        "web/_finding.html",
        {"finding": findings[0], "organization": world.org, "access": reader},
    )
    assert "coach-fixes" not in html


# Quiet until touched ---------------------------------------------------------------------------


def test_the_empty_key_result_form_says_nothing_and_counts_no_blank(client, world: World) -> None:
    empty = make_objective(world.org, world.team, world.period, "empty", "Owners trust reports")
    client.force_login(world.member)
    html = client.get(url("key-result-new", slug=empty.slug)).content.decode()
    assert 'class="findings"' not in html
    assert "errorlist" not in html
    assert "coach-quiet" in html
    # Typed in, then emptied: a blank statement is no key result, so it is not counted.
    blank = client.post(url("key-result-coach", slug=empty.slug), kr_form(touched="title"))
    assert "kr-count" not in blank.content.decode()
    assert "has only 1 key result" not in blank.content.decode()


def test_a_finding_waits_until_its_field_is_touched(client, world: World) -> None:
    client.force_login(world.member)
    address = url("key-result-coach", slug="activation")
    typed = kr_form(title="Improve customer happiness")
    untouched = client.post(address, {**typed, "touched": "title"}).content.decode()
    assert "unmeasurable-kr" not in untouched
    touched = client.post(address, {**typed, "touched": "title target"}).content.decode()
    assert 'data-rule="unmeasurable-kr"' in touched
    assert "set a baseline and a target" in touched
    # Sent as a whole (no record of touches): everything is said.
    assert 'data-rule="unmeasurable-kr"' in client.post(address, typed).content.decode()


def test_a_new_objective_form_is_quiet_until_touched(client, world: World) -> None:
    client.force_login(world.member)
    page = client.get(url("objective-new")).content.decode()
    assert 'class="findings"' not in page and "coach-quiet" in page
    assert "data-coach-touched" in page and 'name="touched"' in page
    data = {"title": "Launch the billing page", "team": world.team.pk}
    data |= {"period": world.period.pk, "commitment": "committed"}
    nothing = client.post(url("coach-new-objective"), {**data, "touched": ""}).content.decode()
    assert "data-rule" not in nothing
    title = client.post(url("coach-new-objective"), {**data, "touched": "title"}).content.decode()
    assert 'data-rule="objective-is-output"' in title
    assert "no-strategy-link" not in title and "kr-count" not in title


# An output with no numbers, before it is saved ---------------------------------------------------


def test_an_output_without_numbers_is_offered_a_milestone_or_initiatives(
    client, world: World
) -> None:
    client.force_login(world.member)
    address = url("key-result-new", slug="activation")
    refused = client.post(address, kr_form(title=OUTPUT))
    assert refused.status_code == 422
    html = refused.content.decode()
    assert f'value="{OUTPUT}"' in html  # nothing typed is lost
    assert 'name="resolve" value="milestone"' in html
    assert 'name="resolve" value="initiative"' in html
    assert "Give it a baseline and a target" in html
    assert not KeyResult.objects.filter(title=OUTPUT).exists()

    made = client.post(address, kr_form(title=OUTPUT, resolve="milestone"))
    assert made.status_code == 302
    kr = KeyResult.objects.get(title=OUTPUT)
    assert (kr.type, kr.baseline, kr.target) == ("milestone", None, None)


def test_an_output_without_numbers_can_become_an_initiative_instead(client, world: World) -> None:
    client.force_login(world.member)
    address = url("key-result-new", slug="activation")
    moved = client.post(address, kr_form(title=OUTPUT, resolve="initiative"))
    assert moved.status_code == 302
    initiative = Initiative.objects.get(title=OUTPUT)
    assert initiative.objective_id == world.objective.pk
    assert moved["Location"].endswith(f"#initiative-{initiative.pk}")
    assert not KeyResult.objects.filter(title=OUTPUT).exists()


def test_a_saved_key_result_edited_into_an_output_is_offered_the_same(client, world: World) -> None:
    client.force_login(world.member)
    address = url("key-result-edit", slug="activation", kr="week1-activation")
    typed = kr_form(title=OUTPUT, version="1")
    refused = client.post(address, typed)
    assert refused.status_code == 422
    assert 'name="resolve" value="initiative"' in refused.content.decode()
    assert KeyResult.objects.get(pk=world.key_result.pk).title != OUTPUT
    moved = client.post(address, {**typed, "resolve": "initiative"})
    assert moved.status_code == 302
    assert not KeyResult.objects.filter(pk=world.key_result.pk).exists()
    assert Initiative.objects.filter(objective=world.objective).exists()


def test_a_metric_without_numbers_is_refused_by_field_in_the_web_form(client, world: World) -> None:
    client.force_login(world.member)
    refused = client.post(
        url("key-result-new", slug="activation"), kr_form(title="Improve customer happiness")
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "needs a baseline and a target" in html
    assert 'name="resolve"' not in html  # not work to deliver: no milestone offer


def test_the_api_refuses_a_metric_without_numbers_naming_the_field(world: World) -> None:
    member = client_for(world.member, world.org)
    path = "/orgs/acme/objectives/activation/key-results"
    output = member.post(path, {"title": OUTPUT})
    assert output.status_code == 422
    [problem] = output.data["errors"]
    assert problem["path"] == "$.baseline"
    assert "milestone" in problem["msg"] and "initiatives" in problem["msg"]
    vague = member.post(path, {"title": "Improve customer happiness", "baseline": 70})
    assert vague.status_code == 422
    assert vague.data["errors"][0]["path"] == "$.target"
    assert member.post(path, {"title": OUTPUT, "type": "milestone"}).status_code == 201
    edited = member.patch(
        "/orgs/acme/key-results/activation/week1-activation", {"version": 1, "target": None}
    )
    assert edited.status_code == 422 and edited.data["errors"][0]["path"] == "$.target"
    assert Objective.objects.get(pk=world.objective.pk).key_results.count() == 3


def test_stored_findings_on_the_objective_and_team_pages_speak_the_pages_words(
    client, world: World
) -> None:
    from constellation.server.plans.stored import rescore_organization
    from tests.server.factories import make_key_result

    make_key_result(world.objective, "mobile", OUTPUT, type="milestone", position=2)
    # All business and no customer: the team's set is coached too.
    Objective.objects.filter(pk=world.objective.pk).update(scored_on=None, focus="business")
    rescore_organization(world.org)
    client.force_login(world.member)
    html = client.get(url("objective", slug="activation")).content.decode()
    findings = re.findall(r'<li class="finding[^>]*data-rule="output-kr".*?</li>', html, re.S)
    assert findings
    for finding in findings:
        text = visible_text(re.sub(r"<form.*?</form>", "", finding, flags=re.S))
        assert "“Launch the mobile app”" in text
        assert not FILE_SYNTAX.search(text), text
        assert "<code>" not in finding
    team = client.get(url("team", team="growth")).content.decode()
    about_team = team[team.index('id="team-findings"') :].split("</section>", 1)[0]
    assert about_team.count('<li class="finding') >= 1
    assert "<code>" not in about_team and not FILE_SYNTAX.search(visible_text(about_team))
