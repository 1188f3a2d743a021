"""Editing an objective from its page: versioned, audited, never losing what was typed."""

from __future__ import annotations

from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Objective
from tests.server.factories import World
from tests.server.sharing_factories import make_stakeholder, make_team


def edit_url(slug: str = "activation", org: str = "acme") -> str:
    return reverse("objective-edit", kwargs={"org": org, "slug": slug})


def edit(title: str, version: int, **fields: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": title,
        "focus": "customer",
        "commitment": "committed",
        "version": version,
    }
    data.update(fields)
    return data


def test_a_member_saves_the_objective(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        edit_url(), edit("New teams see value on day one", 1, commitment="aspirational")
    )
    assert response.status_code == 302
    objective = Objective.objects.get(pk=world.objective.pk)
    assert objective.title == "New teams see value on day one"
    assert objective.commitment == "aspirational"
    assert objective.version == 2
    event = AuditEvent.objects.get(action="update", object_id=objective.pk)
    assert event.actor == world.member
    assert event.before["title"] == "New teams get to value in their first week"
    assert client.get(response.url).content.decode().count("Saved.") == 1


def test_the_form_carries_the_version(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    assert '<input type="hidden" name="version" value="1"' in html.content.decode()


def test_a_concurrent_edit_is_refused_and_the_first_change_kept(client, world: World) -> None:
    client.force_login(world.member)
    first = client.post(edit_url(), edit("First editor's title", 1))
    assert first.status_code == 302
    second = client.post(edit_url(), edit("Second editor's title", 1, focus="business"))
    assert second.status_code == 409
    html = second.content.decode()
    assert "changed by someone else since you opened it" in html
    # What the second person typed is still in the form...
    assert 'value="Second editor&#x27;s title"' in html
    assert '<option value="business" selected>' in html
    # ...and the page shows the saved version beside it.
    assert "<h1>First editor&#x27;s title</h1>" in html
    objective = Objective.objects.get(pk=world.objective.pk)
    assert (objective.title, objective.focus, objective.version) == (
        "First editor's title",
        "customer",
        2,
    )
    assert AuditEvent.objects.filter(action="update").count() == 1


def test_after_a_refused_edit_saving_again_applies_it_knowingly(client, world: World) -> None:
    client.force_login(world.member)
    client.post(edit_url(), edit("First editor's title", 1))
    refused = client.post(edit_url(), edit("Second editor's title", 1))
    assert '<input type="hidden" name="version" value="2"' in refused.content.decode()
    again = client.post(edit_url(), edit("Second editor's title", 2))
    assert again.status_code == 302
    assert Objective.objects.get(pk=world.objective.pk).title == "Second editor's title"


def test_an_empty_title_is_shown_next_to_the_field(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(edit_url(), edit("", 1, commitment="aspirational"))
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('<label for="objective-title">') :]
    field = field[: field.index("</div>")]
    assert "This field is required." in field
    assert '<option value="aspirational" selected>' in html
    assert Objective.objects.get(pk=world.objective.pk).version == 1


def test_an_unchanged_form_saves_nothing(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(edit_url(), edit("New teams get to value in their first week", 1))
    assert response.status_code == 302
    assert Objective.objects.get(pk=world.objective.pk).version == 1
    assert not AuditEvent.objects.exists()


def test_opening_the_edit_address_leads_back_to_the_form(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.get(edit_url())
    assert response.status_code == 302
    assert response.url == "/o/acme/objectives/activation/#edit"


def test_a_viewer_cannot_edit(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(edit_url(), edit("Viewer's title", 1))
    assert response.status_code == 403
    assert "viewer" in response.content.decode()
    assert Objective.objects.get(pk=world.objective.pk).version == 1


def test_an_outsider_cannot_edit(client, world: World) -> None:
    client.force_login(world.outsider)
    assert client.post(edit_url(), edit("Outsider's title", 1)).status_code == 404
    assert Objective.objects.get(pk=world.objective.pk).version == 1


def test_the_page_offers_no_state_menu_and_says_how_to_launch(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    page = html.content.decode()
    edit_section = page[page.index('id="edit"') : page.index('id="history"')]
    assert 'name="state"' not in edit_section
    assert 'href="/o/acme/teams/growth/send-for-review/?period=2026-Q4"' in edit_section
    assert "send Growth's drafts for review" in edit_section


def test_a_launched_objective_says_the_quarterly_review_closes_it(client, world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    client.force_login(world.member)
    page = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    lifecycle = page.content.decode().split('id="lifecycle"', 1)[1].split("</p>", 1)[0]
    assert "send Growth" not in lifecycle
    assert 'href="/o/acme/teams/growth/quarterly-review/2026-Q4/"' in lifecycle


def test_a_posted_state_is_refused_with_how_to_launch(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(edit_url(), edit("Launched at last", 1, state="launched"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "send Growth&#x27;s drafts for review at /o/acme/teams/growth/send-for-review/" in html
    assert 'value="Launched at last"' in html  # what was typed is kept
    objective = Objective.objects.get(pk=world.objective.pk)
    assert (objective.state, objective.version) == ("draft", 1)
    assert not AuditEvent.objects.exists()


def test_a_member_of_another_team_cannot_edit(client, world: World) -> None:
    client.force_login(make_stakeholder(world, make_team(world)))
    response = client.post(edit_url(), edit("Not my team's", 1))
    assert response.status_code == 403
    assert "Only members of Growth" in response.content.decode()
    assert Objective.objects.get(pk=world.objective.pk).version == 1
