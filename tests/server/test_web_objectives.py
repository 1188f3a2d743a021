"""The objective page: key results, history, alignment, guardrails, findings and audit."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, KeyResult
from constellation.server.orgs.access import access_org
from constellation.server.plans.scores import period_view
from constellation.server.tracking.actions import CheckInInput, do_check_in
from tests.server.bulk import add_check_ins, add_objectives
from tests.server.factories import World


def objective_url(slug: str = "activation", org: str = "acme") -> str:
    return reverse("objective", kwargs={"org": org, "slug": slug})


def section(html: str, marker: str) -> str:
    """The HTML from a marker to the end of its section."""
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def test_it_shows_the_objectives_facts(client, world: World) -> None:
    client.force_login(world.member)
    response = client.get(objective_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>New teams get to value in their first week</h1>" in html
    facts = section(html, 'id="objective-summary"')
    for text in ("Growth", "member", "2026-Q4", "draft", "committed", "customer", "Win self-serve"):
        assert text in facts


def test_key_results_show_progress_current_baseline_target_and_unit(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    score = period_view(world.org, world.period).scores["activation"]
    kr_score = next(k for k in score.key_results if k.id == "week1-activation")
    row = html[html.index('id="kr-week1-activation"') :]
    row = row[: row.index("</article>")]
    assert "Raise week-1 activation from 34% to 50%" in row
    assert f'style="width: {kr_score.progress * 100:.1f}%"' in row
    assert '<strong class="current">41%</strong>' in row
    assert "34% → 50%" in row
    days = html[html.index('id="kr-time-to-value"') :]
    assert "3 days → 1 day" in days


def test_the_latest_confidence_and_the_check_in_history_are_shown(client, world: World) -> None:
    access = access_org(world.member, "acme")
    do_check_in(
        access,
        world.key_result,
        CheckInInput(value=44, confidence=7, note="pilot cohort converted"),
        world.member,
    )
    client.force_login(world.viewer)
    html = client.get(objective_url()).content.decode()
    row = html[html.index('id="kr-week1-activation"') :]
    row = row[: row.index("</article>")]
    assert "Confidence: 7/10" in row
    assert "pilot cohort converted" in row
    assert '<td data-label="Value">44%</td>' in row
    assert '<td data-label="By">member</td>' in row


def test_it_links_alignment_both_ways(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    alignment = section(html, 'id="alignment"')
    assert f'href="{objective_url("retention")}">Customers stay with us</a>' in alignment
    parent = client.get(objective_url("retention")).content.decode()
    aligned_from = section(parent, 'id="alignment"').split("Aligned from")[1]
    assert f'href="{objective_url("activation")}">New teams get to value' in aligned_from


def test_it_shows_guardrails_with_their_health(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    guardrails = section(html, 'id="guardrails"')
    assert '<a href="/o/acme/kpis/logo-churn/">Monthly logo churn</a>: 2.1%' in guardrails
    assert "healthy" in guardrails and "unhealthy" not in guardrails
    world.kpi.current = 3.4
    world.kpi.save()
    html = client.get(objective_url()).content.decode()
    assert "unhealthy" in section(html, 'id="guardrails"')


def test_it_lists_initiatives(client, world: World) -> None:
    initiative = Initiative.objects.create(
        objective=world.objective, title="Guided setup wizard", status="in_progress"
    )
    initiative.moves.add(world.key_result)
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    assert "Guided setup wizard" in section(html, 'id="initiatives"')
    assert "in progress" in section(html, 'id="initiatives"')


def test_it_shows_the_coachs_findings_with_hints(client, world: World) -> None:
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(
        title="Launch the onboarding checklist", baseline=None, target=None, current=None
    )
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    findings = section(html, 'id="findings"')
    assert "output-kr" in findings
    assert "Hint:" in findings


def test_it_shows_who_changed_what_in_the_history(client, world: World) -> None:
    client.force_login(world.member)
    client.post(
        reverse("objective-edit", kwargs={"org": "acme", "slug": "activation"}),
        {
            "title": "New teams reach value in week one",
            "focus": "customer",
            "commitment": "committed",
            "state": "draft",
            "version": 1,
        },
    )
    html = client.get(objective_url()).content.decode()
    history = section(html, 'id="history"')
    assert "<strong>member</strong>" in history
    assert "changed <em>objective</em>" in history
    assert (
        "changed <code>title</code> from New teams get to value in their first week "
        "to New teams reach value in week one"
    ) in history


def test_a_viewer_sees_no_forms(client, world: World) -> None:
    client.force_login(world.viewer)
    html = client.get(objective_url()).content.decode()
    assert "check-in-form" not in html
    assert 'id="edit"' not in html


def test_a_member_sees_a_labelled_check_in_form_per_key_result(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    assert html.count('class="check-in-form"') == 2
    kr = world.key_result.pk
    assert f'<label for="kr-{kr}-value">Value (%)</label>' in html
    assert f'<label for="kr-{kr}-confidence">Confidence (0-10)</label>' in html


def test_an_unknown_objective_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(objective_url("nothing")).status_code == 404


def test_another_organisations_objective_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(objective_url("secret")).status_code == 404
    assert client.get(objective_url("secret", org="globex")).status_code == 404


def test_an_outsider_gets_404(client, world: World) -> None:
    client.force_login(world.outsider)
    response = client.get(objective_url())
    assert response.status_code == 404
    assert b"first week" not in response.content


def test_the_query_count_is_the_same_for_10_and_500_objectives(client, world: World) -> None:
    client.force_login(world.member)
    add_objectives(world, 10)
    client.get(objective_url())
    with CaptureQueriesContext(connection) as few:
        response = client.get(objective_url())
    assert len(response.context["aligned_from"]) == 10
    add_objectives(world, 490, start=10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(objective_url())
    assert len(response.context["aligned_from"]) == 500
    assert len(many) == len(few)


def test_the_query_count_is_the_same_for_10_and_500_check_ins(client, world: World) -> None:
    client.force_login(world.member)
    add_check_ins(world.key_result, 10, author=world.member)
    client.get(objective_url())
    with CaptureQueriesContext(connection) as few:
        client.get(objective_url())
    add_check_ins(world.key_result, 490, author=world.leader)
    with CaptureQueriesContext(connection) as many:
        response = client.get(objective_url())
    assert len(response.context["items"][0].history) == 500
    assert len(many) == len(few)


def test_the_page_reads_no_audit_of_other_organisations(client, world: World) -> None:
    AuditEvent.objects.create(
        organization=world.other_org,
        action="update",
        object_type="objective",
        object_id=world.objective.pk,
        object_repr="leaked",
        after={"title": "globex-only"},
    )
    client.force_login(world.member)
    html = client.get(objective_url()).content.decode()
    assert "globex-only" not in html


def test_an_address_with_a_nul_character_is_404(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get("/o/acme/objectives/a%00b/").status_code == 404
    assert client.get("/o/acme/kpis/a%00b/").status_code == 404
