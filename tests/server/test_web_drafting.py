"""Drafting objectives and key results in the browser: create, edit, versioned, audited."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from tests.server.factories import World, make_key_result, make_objective
from tests.server.sharing_factories import join


def url(name: str, **kwargs: str) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def objective_data(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Teams trust their weekly numbers",
        "team": world.team.pk,
        "period": world.period.pk,
        "owner": world.member.pk,
        "focus": "customer",
        "commitment": "committed",
        "levers": [world.lever.pk],
        "guardrails": [world.kpi.pk],
    }
    data.update(extra)
    return data


def kr_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Raise weekly active teams from 120 to 200",
        "type": "metric",
        "baseline": "",
        "target": "",
        "unit": "",
        "weight": "1",
        "owner": "",
        "kpi": "",
    }
    data.update(extra)
    return data


def field_html(html: str, field_id: str) -> str:
    """The markup of one field's wrapper, from its label to the end of the wrapper."""
    start = html.index(f'<label for="{field_id}">')
    return html[start : html.index("</div>", start)]


def test_a_member_creates_an_objective_with_levers_and_guardrails(client, world: World) -> None:
    join(world, world.member, world.team)
    client.force_login(world.member)
    response = client.post(url("objective-new"), objective_data(world))
    assert response.status_code == 302
    objective = Objective.objects.get(slug="teams-trust-their-weekly-numbers")
    assert response.url == url("objective-draft", slug=objective.slug)
    assert objective.state == "draft"
    assert objective.owner == world.member
    assert list(objective.levers.all()) == [world.lever]
    assert list(objective.guardrails.all()) == [world.kpi]
    event = AuditEvent.objects.get(action="create", object_type="objective")
    assert event.after["levers"] == ["self-serve"]
    assert event.after["guardrails"] == ["logo-churn"]
    page = client.get(response.url).content.decode()
    assert "Now add its key results" in page


def test_slugs_come_from_titles_and_stay_unique(client, world: World) -> None:
    join(world, world.member, world.team)
    client.force_login(world.member)
    client.post(url("objective-new"), objective_data(world))
    client.post(url("objective-new"), objective_data(world))
    client.post(url("objective-new"), objective_data(world, slug="my-own-id"))
    slugs = set(Objective.objects.filter(organization=world.org).values_list("slug", flat=True))
    assert {
        "teams-trust-their-weekly-numbers",
        "teams-trust-their-weekly-numbers-2",
        "my-own-id",
    } <= slugs


def test_an_invalid_objective_keeps_what_was_typed_and_says_why_next_to_the_field(
    client, world: World
) -> None:
    client.force_login(world.member)
    response = client.post(url("objective-new"), objective_data(world, title="", focus="both"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in field_html(html, "objective-title")
    assert '<option value="both" selected>' in html
    assert f'value="{world.lever.pk}" id="objective-levers_0" checked' in html
    assert not Objective.objects.filter(team=world.team, title="").exists()


def test_a_lever_of_another_organisation_is_refused(client, world: World) -> None:
    from constellation.server.strategy.models import Lever

    foreign = Lever.objects.create(organization=world.other_org, slug="x", title="Globex bet")
    client.force_login(world.member)
    response = client.post(url("objective-new"), objective_data(world, levers=[foreign.pk]))
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_every_field_of_the_forms_has_a_visible_label(client, world: World) -> None:
    client.force_login(world.member)
    pages = [
        url("objective-new"),
        url("objective-draft", slug="activation"),
        url("key-result-new", slug="activation"),
        url("key-result-edit", slug="activation", kr="week1-activation"),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"', html)
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
        missing = [i for i in ids if i not in labelled and not i.startswith("org-switcher")]
        assert missing == [], page


def test_editing_the_whole_objective_is_versioned_and_audited(client, world: World) -> None:
    client.force_login(world.member)
    data = objective_data(world, title="New teams see value on day one", version=1)
    response = client.post(url("objective-draft", slug="activation"), data)
    assert response.status_code == 302
    objective = Objective.objects.get(pk=world.objective.pk)
    assert objective.title == "New teams see value on day one"
    assert objective.version == 2
    assert objective.slug == "activation"  # an address never changes with the title


def test_changing_only_the_levers_is_a_new_version_with_history(client, world: World) -> None:
    client.force_login(world.member)
    data = objective_data(
        world, title=world.objective.title, levers=[], guardrails=[world.kpi.pk], version=1
    )
    response = client.post(url("objective-draft", slug="activation"), data)
    assert response.status_code == 302
    assert Objective.objects.get(pk=world.objective.pk).version == 2
    assert not world.objective.levers.exists()
    event = AuditEvent.objects.get(action="update", object_id=world.objective.pk)
    assert (event.before, event.after) == ({"levers": ["self-serve"]}, {"levers": []})


def test_a_stale_objective_form_is_refused_and_keeps_the_typed_values(client, world: World) -> None:
    client.force_login(world.member)
    first = objective_data(world, title="First editor", version=1)
    assert client.post(url("objective-draft", slug="activation"), first).status_code == 302
    second = objective_data(world, title="Second editor", focus="business", version=1)
    response = client.post(url("objective-draft", slug="activation"), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert 'value="Second editor"' in html
    assert '<option value="business" selected>' in html
    assert '<input type="hidden" name="version" value="2"' in html
    assert Objective.objects.get(pk=world.objective.pk).title == "First editor"


def test_a_key_result_reads_its_numbers_from_the_statement(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(url("key-result-new", slug="activation"), kr_data())
    assert response.status_code == 302
    kr = KeyResult.objects.get(objective=world.objective, title__startswith="Raise weekly")
    assert (kr.baseline, kr.target, kr.unit) == (120, 200, "")
    assert kr.slug == "raise-weekly-active-teams-from-120-to-200"
    assert kr.position == 2
    assert AuditEvent.objects.filter(action="create", object_type="keyresult").count() == 1


def test_numbers_typed_by_the_person_win_over_the_statement(client, world: World) -> None:
    client.force_login(world.member)
    data = kr_data(title="Raise activation from 34% to 50%", baseline="35", unit="pct")
    assert client.post(url("key-result-new", slug="activation"), data).status_code == 302
    kr = KeyResult.objects.get(objective=world.objective, title="Raise activation from 34% to 50%")
    assert (kr.baseline, kr.target, kr.unit) == (35, 50, "pct")


def test_an_invalid_key_result_keeps_the_input_and_shows_the_error_by_the_field(
    client, world: World
) -> None:
    client.force_login(world.member)
    data = kr_data(title="Grow MRR by 20%", weight="0", unit="$")
    response = client.post(url("key-result-new", slug="activation"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "greater than or equal to 0.01" in field_html(html, "kr-weight")
    assert 'value="Grow MRR by 20%"' in html
    assert not KeyResult.objects.filter(title="Grow MRR by 20%").exists()


def test_a_stale_key_result_form_is_refused(client, world: World) -> None:
    client.force_login(world.member)
    edit = url("key-result-edit", slug="activation", kr="week1-activation")
    first = kr_data(title="Raise week-1 activation from 34% to 55%", baseline="34", target="55")
    assert client.post(edit, {**first, "version": 1}).status_code == 302
    second = kr_data(title="Raise week-1 activation from 34% to 60%", baseline="34", target="60")
    response = client.post(edit, {**second, "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert 'value="Raise week-1 activation from 34% to 60%"' in html
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 55


def test_deleting_a_key_result_keeps_it_in_the_history(client, world: World) -> None:
    client.force_login(world.member)
    delete = url("key-result-delete", slug="activation", kr="time-to-value")
    assert client.get(delete).status_code == 200
    assert client.post(delete, {"version": 1}).status_code == 302
    assert not KeyResult.objects.filter(pk=world.second_key_result.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="keyresult")
    assert event.before["title"].startswith("Cut median time")
    page = client.get(url("objective", slug="activation")).content.decode()
    assert "Cut median time to first dashboard" in page  # in the history


def test_a_viewer_sees_no_form_and_cannot_write(client, world: World) -> None:
    client.force_login(world.viewer)
    refused = client.get(url("objective-new"))
    assert refused.status_code == 403
    assert "your role here is viewer" in refused.content.decode()
    assert client.post(url("objective-new"), objective_data(world)).status_code == 403
    kr_new = url("key-result-new", slug="activation")
    assert client.post(kr_new, kr_data()).status_code == 403
    page = client.get(url("team-draft", team="growth")).content.decode()
    assert "New objective" not in page
    assert Objective.objects.filter(organization=world.org).count() == 2
    assert not AuditEvent.objects.exists()


def test_an_outsider_gets_404_everywhere(client, world: World) -> None:
    client.force_login(world.outsider)
    for name, kwargs in [
        ("objective-new", {}),
        ("team-draft", {"team": "growth"}),
        ("objective-draft", {"slug": "activation"}),
        ("key-result-new", {"slug": "activation"}),
        ("key-result-edit", {"slug": "activation", "kr": "week1-activation"}),
    ]:
        assert client.get(url(name, **kwargs)).status_code == 404
        assert client.post(url(name, **kwargs), objective_data(world)).status_code == 404
    assert not AuditEvent.objects.exists()


def _grow(world: World, count: int) -> None:
    for n in range(count):
        objective = make_objective(
            world.org, world.team, world.period, f"extra-{n}", f"Extra objective {n}"
        )
        objective.levers.add(world.lever)
        for k in range(3):
            make_key_result(objective, f"kr-{k}", f"Raise thing {k} from 1 to 2", baseline=1)


def _counts(client, pages: list[str]) -> list[int]:
    counts = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(len(queries))
    return counts


def test_the_drafting_pages_read_the_same_number_of_queries_at_any_size(
    client, world: World
) -> None:
    client.force_login(world.member)
    pages = [
        url("team-draft", team="growth"),
        url("objective-draft", slug="extra-0"),
        url("key-result-new", slug="extra-0"),
        url("key-result-edit", slug="extra-0", kr="kr-0"),
    ]
    _grow(world, 1)
    small = _counts(client, pages)
    _grow_more(world, 30)
    assert _counts(client, pages) == small
    assert max(small) <= 30


def _grow_more(world: World, count: int) -> None:
    extra = Objective.objects.get(slug="extra-0")
    for k in range(3, 3 + count):
        make_key_result(extra, f"kr-{k}", f"Raise thing {k} from 1 to 2", baseline=1)
    for n in range(1, count):
        objective = make_objective(
            world.org, world.team, world.period, f"extra-{n}", f"Extra objective {n}"
        )
        make_key_result(objective, "kr-0", "Raise thing from 1 to 2", baseline=1)
