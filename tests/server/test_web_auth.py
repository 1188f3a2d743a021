"""Logging in and out, the start page and the organisation switcher."""

from __future__ import annotations

from django.urls import reverse

from constellation.server.orgs.models import Membership
from tests.server.factories import PASSWORD, World, make_user


def test_the_login_page_labels_every_field(client, db: None) -> None:
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_wrong_password_is_refused_with_a_message(client, world: World) -> None:
    response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert 'value="member"' in html


def test_logging_in_leads_to_the_persons_home_in_the_first_organisation(
    client, world: World
) -> None:
    response = client.post(
        reverse("login"), {"username": "member", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("personal-home", kwargs={"org": "acme"})
    assert "New teams get to value" in response.content.decode()


def test_someone_in_no_organisation_is_told_so(client, db: None) -> None:
    client.force_login(make_user("loner"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "You belong to no organisation yet" in response.content.decode()


def test_logging_out_takes_a_post(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_switcher_lists_only_my_organisations(client, world: World) -> None:
    Membership.objects.create(organization=world.other_org, user=world.member, role="viewer")
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    switcher = html[html.index('class="org-switcher"') : html.index("</form>")]
    assert '<option value="acme" selected>Acme Analytics</option>' in switcher
    assert '<option value="globex">Globex</option>' in switcher
    assert '<label for="org-switcher">Organisation</label>' in switcher


def test_the_switcher_of_an_outsider_does_not_name_other_organisations(
    client, world: World
) -> None:
    client.force_login(world.outsider)
    html = client.get(reverse("dashboard", kwargs={"org": "globex"})).content.decode()
    assert "Acme" not in html


def test_switching_works_without_javascript(client, world: World) -> None:
    Membership.objects.create(organization=world.other_org, user=world.member, role="viewer")
    client.force_login(world.member)
    response = client.get(reverse("switch-organization"), {"org": "globex"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard", kwargs={"org": "globex"})


def test_switching_to_an_organisation_i_am_not_in_is_not_found(client, world: World) -> None:
    client.force_login(world.outsider)
    response = client.get(reverse("switch-organization"), {"org": "acme"})
    assert response.status_code == 404


def test_every_page_has_a_skip_link_and_a_main_landmark(client, world: World) -> None:
    pages = [client.get(reverse("login")).content.decode()]
    client.force_login(world.member)
    for url in (
        reverse("dashboard", kwargs={"org": "acme"}),
        reverse("team", kwargs={"org": "acme", "team": "growth"}),
        reverse("objective", kwargs={"org": "acme", "slug": "activation"}),
        reverse("tokens", kwargs={"org": "acme"}),
    ):
        pages.append(client.get(url).content.decode())
    for html in pages:
        assert '<a class="skip-link" href="#main">' in html
        assert '<main id="main"' in html
        assert '<html lang="en">' in html
        assert 'name="viewport"' in html


def test_the_stylesheet_and_htmx_are_served(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert "web/app.css" in html
    assert "django_htmx/htmx-2.min.js" in html
