"""The site's chrome: the navigation and its current page, error pages, the favicon, people
named by their full names, and the demo's list of people on its login page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from constellation.server.web.templatetags.chrome import (
    avatar,
    colour_index,
    full_name,
    initials,
    section_of,
    team_colour,
)
from constellation.server.web.views import errors
from tests.server.factories import World


def _nav_link(html: str, label: str) -> str:
    """The opening tag of the navigation link whose text ends with `label`."""
    found = re.search(rf'<a href="[^"]*"[^>]*>(?:<svg.*?</svg>)?{re.escape(label)}\b', html)
    assert found, f"no navigation link {label!r}"
    return found.group(0)


# The navigation


def test_the_navigation_marks_the_page_you_are_on(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert 'aria-current="page"' in _nav_link(html, "Dashboard")
    for other in ("Home", "My week", "Planning", "Strategy", "Teams", "KPIs", "Data bank"):
        assert "aria-current" not in _nav_link(html, other), other
    assert html.count('aria-current="page"') == 1


def test_a_page_inside_a_section_marks_its_entry_as_the_current_place(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("team", kwargs={"org": "acme", "team": "growth"})).content.decode()
    assert 'aria-current="true"' in _nav_link(html, "Teams")
    assert "aria-current" not in _nav_link(html, "Dashboard")
    html = client.get(reverse("tokens", kwargs={"org": "acme"})).content.decode()
    assert 'aria-current="page"' in _nav_link(html, "API tokens")


def test_daily_work_and_settings_are_two_navigations(client, world: World) -> None:
    client.force_login(world.admin)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    main = html[html.index('aria-label="Main"') : html.index("</nav>")]
    settings_nav = html[html.index('aria-label="Settings"') :]
    settings_nav = settings_nav[: settings_nav.index("</nav>")]
    for daily in ("Home", "Dashboard", "My week", "Planning", "Teams", "Notifications"):
        assert daily in main
        assert f">{daily}<" not in settings_nav
    for setting in ("People", "API tokens", "Reminders", "Profile", "Log out", "Organisation"):
        assert setting in settings_nav
        assert setting not in main
    # The phone's menu is a <details>: it opens without any script.
    assert '<details class="nav-menu">' in html
    assert '<summary class="nav-toggle">' in html


def test_only_admins_see_people_in_the_settings(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert reverse("people", kwargs={"org": "acme"}) not in html


def test_every_page_belongs_to_its_section() -> None:
    assert section_of("dashboard") == "dashboard"
    assert section_of("objective-history") == "dashboard"
    assert section_of("team") == "teams"
    assert section_of("team-rows") == "dashboard"
    assert section_of("team-report-pdf") == "planning"
    assert section_of("quarterly-review-objective") == "planning"
    assert section_of("kpi-upload") == "kpis"
    assert section_of("notifications-read-all") == "notifications"
    assert section_of("notification-open") == "notifications"
    assert section_of("token-revoke") == "tokens"
    assert section_of("login") is None
    assert section_of(None) is None


def test_the_selects_act_on_change_and_keep_a_button_without_scripts(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert '<select id="period-select" name="period" data-submit-on-change>' in html
    assert '<select id="org-switcher" name="org" data-submit-on-change>' in html
    assert '<noscript><button type="submit" class="secondary">Show</button></noscript>' in html
    assert '<noscript><button type="submit" class="secondary">Go</button></noscript>' in html
    assert re.search(r'<script src="/static/web/app[^"]*\.js" defer>', html)


# Error pages


def test_an_unknown_address_gets_the_styled_404_with_a_way_back(client, world: World) -> None:
    client.force_login(world.member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert f'href="{reverse("home")}"' in html
    assert 'aria-label="Settings"' in html  # the site's chrome, with the person's menu


def test_another_organisations_object_gets_the_same_404(client, world: World) -> None:
    client.force_login(world.outsider)
    response = client.get(reverse("dashboard", kwargs={"org": "acme"}))
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "Acme" not in response.content.decode()


def test_the_500_page_needs_neither_the_request_nor_the_database(
    db: None, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert 'href="/"' in html


def test_a_failing_view_answers_with_the_500_page(client, world: World, monkeypatch) -> None:
    from constellation.server.web.views import auth

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(auth, "organizations_of", broken)
    failing = Client(raise_request_exception=False)
    failing.force_login(world.member)
    response = failing.get(reverse("home"))
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()


def test_a_refusal_gets_the_styled_403(rf, world: World) -> None:
    request = rf.get("/")
    request.user = world.member
    response = errors.forbidden(request, PermissionDenied("Only admins may do this."))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You may not open this page</h1>" in html
    assert "Only admins may do this." in html


def test_a_viewer_opening_a_form_is_told_why_instead_of_sent_away(client, world: World) -> None:
    client.force_login(world.viewer)
    for url in (
        reverse("objective-new", kwargs={"org": "acme"}),
        reverse("key-result-new", kwargs={"org": "acme", "slug": "activation"}),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert "<h1>You can look, not change</h1>" in html
        assert "your role here is viewer" in html
        assert "Back to the dashboard" in html


# Favicon


def test_the_favicon_is_linked_and_answers_at_its_usual_address(client, db: None) -> None:
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/web/favicon[^"]*\.svg" type="image/svg', html)
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response.url)
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]


# People by their names


def test_people_are_named_by_their_full_names(client, world: World) -> None:
    world.member.first_name, world.member.last_name = "Mia", "Member"
    world.member.save()
    client.force_login(world.member)
    check_in = reverse(
        "check-in", kwargs={"org": "acme", "slug": "activation", "kr": "week1-activation"}
    )
    client.post(check_in, {"value": "45", "confidence": "8"})
    html = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    page = html.content.decode()
    history = page[page.index('id="history"') :]
    assert "<strong>Mia Member</strong>" in history
    assert "<strong>member</strong>" not in history
    # The person's own menu names them too, with their initials.
    assert '<span class="account-name">Mia Member</span>' in page
    assert ">MM</span>" in page


def test_a_review_answer_is_announced_with_the_full_name(world: World) -> None:
    from constellation.server.notifications.models import Notification
    from constellation.server.orgs.access import access_org
    from constellation.server.orgs.models import Membership
    from constellation.server.sharing.actions import Answer, do_answer_review, do_send_for_review

    world.leader.first_name, world.leader.last_name = "Amara", "Okafor"
    world.leader.save()
    world.objective.state = "draft"
    world.objective.save()
    Membership.objects.get(user=world.member, organization=world.org).teams.add(world.team)
    member = access_org(world.member, "acme")
    leaders = list(Membership.objects.filter(user=world.leader))
    review = do_send_for_review(
        member,
        world.team,
        world.period,
        objectives=None,
        leaders=leaders,
        stakeholders=[],
        message="",
        actor=world.member,
    )
    reviewer = review.reviewers.get()
    do_answer_review(
        access_org(world.leader, "acme"),
        review,
        Answer(decision="approved", comment="Go"),
        expected_version=reviewer.version,
        actor=world.leader,
    )
    titles = list(
        Notification.objects.filter(recipient=world.member).values_list("title", flat=True)
    )
    assert "Amara Okafor approved on Growth's OKRs for 2026-Q4" in titles


def test_names_initials_and_colours_are_stable() -> None:
    amara = User(username="amara", first_name="Amara", last_name="Okafor")
    assert full_name(amara) == "Amara Okafor"
    assert full_name(User(username="eli")) == "eli"
    assert full_name(None) == "someone"
    assert initials(amara) == "AO"
    assert initials(User(username="eli")) == "E"
    assert initials("Jean-Luc de la Fontaine") == "JF"
    assert colour_index("amara") == colour_index("amara")
    assert {colour_index(name) for name in ("a", "b", "c", "d", "e", "f", "g", "h")} != {0}
    assert str(avatar(amara)) == (
        f'<span class="avatar avatar-c{colour_index("amara")}" aria-hidden="true">AO</span>'
    )
    assert team_colour("growth") == f"team-c{colour_index('growth')}"


# The demo's login page


@pytest.fixture
def demo_people(world: World, settings) -> World:
    """Acme served as the demo: its people have names and passwords."""
    settings.DEMO_ORGANIZATION = "acme"
    world.leader.first_name, world.leader.last_name = "Amara", "Okafor"
    world.leader.save()
    world.viewer.set_unusable_password()
    world.viewer.save()
    return world


def test_the_demos_login_page_lists_its_people_and_roles_on_this_machine(
    client, demo_people: World
) -> None:
    html = client.get(reverse("login"), REMOTE_ADDR="127.0.0.1").content.decode()
    listing = html[html.index("People of the demo") :]
    assert "Amara Okafor" in listing
    assert "<code>leader</code>" in listing
    assert "Answers review requests" in listing
    order = [listing.index(f"<code>{name}</code>") for name in ("admin", "leader", "member")]
    assert order == sorted(order)  # by role, the organisation's runners first
    assert "viewer" not in listing  # no usable password: nothing to sign in with
    assert "globex" not in listing.lower() and "outsider" not in listing


def test_the_list_is_hidden_from_other_addresses_and_other_servers(
    client, demo_people: World, settings
) -> None:
    html = client.get(reverse("login"), REMOTE_ADDR="203.0.113.9").content.decode()
    assert "People of the demo" not in html
    assert "Amara Okafor" not in html
    settings.DEMO_ORGANIZATION = ""
    html = client.get(reverse("login"), REMOTE_ADDR="127.0.0.1").content.decode()
    assert "People of the demo" not in html
