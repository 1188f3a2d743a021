"""Checking in from the objective page: with htmx (the row is swapped) and without JS."""

from __future__ import annotations

from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result


def check_in_url(kr: str = "week1-activation", slug: str = "activation", org: str = "acme") -> str:
    return reverse("check-in", kwargs={"org": org, "slug": slug, "kr": kr})


def test_a_plain_post_records_the_check_in_and_redirects_to_the_row(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        check_in_url(), {"value": "45.5", "confidence": "8", "note": "new onboarding email"}
    )
    assert response.status_code == 302
    assert response.url.endswith("/o/acme/objectives/activation/#kr-week1-activation")
    check_in = CheckIn.objects.get(key_result=world.key_result)
    assert (check_in.value, check_in.confidence, check_in.author) == (45.5, 8, world.member)
    world.key_result.refresh_from_db()
    assert world.key_result.current == 45.5
    assert AuditEvent.objects.filter(action="check_in", object_id=world.key_result.pk).exists()
    page = client.get(response.url).content.decode()
    assert "Check-in recorded" in page
    assert "new onboarding email" in page


def test_an_htmx_post_answers_with_the_key_results_row(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        check_in_url(), {"value": "47", "confidence": "6", "note": "trial"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="kr card kr-card" id="kr-week1-activation">')
    assert '<strong class="current">47%</strong>' in html
    assert '<td data-label="Note">trial</td>' in html
    assert "Check-in recorded." in html
    # The objective's progress and history follow, swapped out of band.
    assert 'id="objective-summary" class="objective-summary" hx-swap-oob="true"' in html
    assert 'id="history" aria-labelledby="history-heading" hx-swap-oob="true"' in html
    assert "<html" not in html


def test_a_check_in_may_be_dated(client, world: World) -> None:
    client.force_login(world.member)
    client.post(check_in_url(), {"value": "40", "checked_on": "2026-10-05"})
    assert CheckIn.objects.get().checked_on.isoformat() == "2026-10-05"


def test_a_milestone_is_checked_in_as_done(client, world: World) -> None:
    make_key_result(world.objective, "wizard", "Ship the setup wizard", type="milestone")
    client.force_login(world.member)
    page = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    assert "Done?" in page.content.decode()
    response = client.post(check_in_url("wizard"), {"done": "yes", "confidence": "9"})
    assert response.status_code == 302
    assert KeyResult.objects.get(slug="wizard").done is True


def test_an_invalid_check_in_keeps_the_input_and_shows_the_error_by_the_field(
    client, world: World
) -> None:
    client.force_login(world.member)
    response = client.post(
        check_in_url(), {"value": "45", "confidence": "11", "note": "typed with care"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    kr = world.key_result.pk
    field = html[html.index(f'<label for="kr-{kr}-confidence">') :]
    field = field[: field.index("</div>")]
    assert f'id="kr-{kr}-confidence-error"' in field
    assert "less than or equal to 10" in field
    assert 'value="11"' in field
    assert 'aria-invalid="true"' in field
    assert "typed with care</textarea>" in html
    assert f'id="kr-{kr}-value" value="45"' in html or 'value="45"' in html
    assert not CheckIn.objects.exists()


def test_a_metric_check_in_without_a_value_is_refused_by_the_action(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(check_in_url(), {"confidence": "5", "note": "forgot the value"})
    assert response.status_code == 422
    html = response.content.decode()
    kr = world.key_result.pk
    assert f'id="kr-{kr}-value-error"' in html
    assert "needs a value" in html
    assert "forgot the value</textarea>" in html
    assert not CheckIn.objects.exists()


def test_an_invalid_htmx_check_in_swaps_the_row_with_the_errors(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        check_in_url(), {"value": "abc", "note": "keep me"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="kr card kr-card" id="kr-week1-activation">')
    assert "Enter a number." in html
    assert 'value="abc"' in html
    assert "keep me</textarea>" in html


def test_a_viewer_cannot_check_in(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(check_in_url(), {"value": "99"})
    assert response.status_code == 403
    assert "viewer" in response.content.decode()
    assert not CheckIn.objects.exists()
    world.key_result.refresh_from_db()
    assert world.key_result.current == 41


def test_an_outsider_cannot_check_in(client, world: World) -> None:
    client.force_login(world.outsider)
    assert client.post(check_in_url(), {"value": "99"}).status_code == 404
    assert not CheckIn.objects.exists()


def test_a_key_result_of_another_organisation_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(check_in_url("secret-kr", "secret"), {"value": "2"})
    assert response.status_code == 404
    response = client.post(check_in_url("secret-kr", "secret", org="globex"), {"value": "2"})
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_opening_the_check_in_address_leads_back_to_the_key_result(client, world: World) -> None:
    client.force_login(world.member)
    response = client.get(check_in_url())
    assert response.status_code == 302
    assert response.url == "/o/acme/objectives/activation/#kr-week1-activation"
    assert client.put(check_in_url()).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    assert client.post(check_in_url(), {"value": "45"}).status_code == 403
    assert not CheckIn.objects.exists()
