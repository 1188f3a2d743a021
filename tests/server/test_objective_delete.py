"""Deleting an objective: through the API and the web app's confirmation, one action with its
version, a reason once launched, never a closed one; links and stored findings go with it."""

from __future__ import annotations

import pytest
from django.test import Client

from constellation.server.audit.models import AuditEvent
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Alignment, Finding, KeyResult, Objective
from constellation.server.plans.stored import rescore_organization
from constellation.server.sharing.models import Dependency
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_objective
from tests.server.sharing_factories import make_dependency, make_stakeholder, make_team

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/objectives/activation"


def test_a_member_deletes_a_draft_with_everything_that_hangs_on_it(world: World) -> None:
    member = client_for(world.member, world.org)
    assert (
        member.post(
            "/orgs/acme/key-results/activation/week1-activation/check-ins", {"value": 44}
        ).status_code
        == 201
    )
    source = make_objective(
        world.org, world.team, world.period, "follow", "Teams follow us", owner=world.leader
    )
    Alignment.objects.create(source=source, target=world.objective)
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    Dependency.objects.create(
        organization=world.org,
        key_result=world.key_result,
        from_team=world.team,
        to_team=platform,
        need="help",
    )
    deleted = member.delete(f"{URL}?version=1")
    assert deleted.status_code == 204 and deleted.content == b""
    assert not Objective.objects.filter(pk=world.objective.pk).exists()
    assert not KeyResult.objects.filter(objective_id=world.objective.pk).exists()
    assert not CheckIn.objects.filter(key_result_id=world.key_result.pk).exists()
    assert not Alignment.objects.filter(target_id=world.objective.pk).exists()
    assert not Alignment.objects.filter(source_id=world.objective.pk).exists()
    assert not Dependency.objects.exists()
    assert not Finding.objects.filter(objective_id=world.objective.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="objective")
    assert event.actor == world.member and event.objective_id == world.objective.pk
    assert event.before["title"] == world.objective.title
    assert event.before["key_results"] == ["week1-activation", "time-to-value"]
    assert (event.before["aligns_to"], event.before["aligned_from"]) == (["retention"], ["follow"])
    assert event.before["guardrails"] == ["logo-churn"]
    # What aligned to it and what it aligned to are scored again in the same transaction.
    assert rescore_organization(world.org).total == 0
    assert member.delete(f"{URL}?version=1").status_code == 404
    told = Notification.objects.get(recipient=world.leader)
    assert "was deleted" in told.title and "“Teams follow us”" in told.body
    # The team asked for support hears that the request went with the objective.
    withdrawn = Notification.objects.get(recipient=stella)
    assert "1 request for support from Platform withdrawn" in withdrawn.title
    assert f"the objective “{world.objective.title}” was deleted" in withdrawn.title
    assert "help" in withdrawn.body
    kept = AuditEvent.objects.get(action="withdraw_dependency")
    assert kept.before["team"] == "platform" and kept.before["need"] == "help"


def test_deleting_a_key_result_withdraws_the_support_asked_on_it_and_says_why(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    data = make_team(world, "data", "Data")
    asked = make_dependency(world, platform)
    Dependency.objects.filter(pk=asked.pk).update(state="accepted")
    declined = make_dependency(world, data)
    Dependency.objects.filter(pk=declined.pk).update(state="declined")
    member = client_for(world.member, world.org)
    path = "/orgs/acme/key-results/activation/week1-activation"
    with django_capture_on_commit_callbacks(execute=True):
        deleted = member.delete(f"{path}?version=1&reason=Measured+by+the+Data+team+now")
    assert deleted.status_code == 204
    told = Notification.objects.get(recipient=stella, kind="dependency")
    assert "withdrawn" in told.title and world.key_result.title in told.title
    assert "Why: Measured by the Data team now" in told.body
    assert "An onboarding checklist API" in told.body and "(accepted)" in told.body
    assert [m.to for m in mailoutbox] == [["stella@example.com"]]
    # A declined request is no one's work: it goes without a word, as before.
    assert AuditEvent.objects.filter(action="withdraw_dependency").count() == 1
    assert not Dependency.objects.exists()


def test_a_stale_version_is_a_409_and_nothing_goes(world: World) -> None:
    member = client_for(world.member, world.org)
    assert (
        member.patch(URL, {"version": 1, "title": "Teams reach value in days"}).status_code == 200
    )
    stale = member.delete(f"{URL}?version=1")
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    missing = member.delete(URL)
    assert missing.status_code == 422 and missing.data["errors"][0]["loc"] == ["query", "version"]
    assert Objective.objects.filter(pk=world.objective.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_a_launched_objective_goes_only_with_a_reason(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    member = client_for(world.member, world.org)
    refused = member.delete(f"{URL}?version=1")
    assert refused.status_code == 422 and refused.data["errors"][0]["path"] == "reason"
    assert member.delete(f"{URL}?version=1&reason=Merged+into+retention").status_code == 204
    event = AuditEvent.objects.get(action="delete", object_type="objective")
    assert event.reason == "Merged into retention"


def test_a_closed_objective_is_kept_as_the_record_of_its_quarter(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="closed")
    refused = client_for(world.admin, world.org).delete(f"{URL}?version=1&reason=Tidy")
    assert refused.status_code == 422
    assert refused.data["errors"][0]["loc"] == ["path", "objective"]
    assert "Reopen the quarterly review" in refused.data["errors"][0]["msg"]
    assert Objective.objects.filter(pk=world.objective.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404)])
def test_viewers_and_outsiders_delete_nothing(world: World, who: str, status: int) -> None:
    # The outsider's token is for their own organisation: acme's objective is not theirs.
    org = world.other_org if who == "outsider" else world.org
    answer = client_for(getattr(world, who), org).delete(f"{URL}?version=1")
    assert answer.status_code == status
    assert Objective.objects.filter(pk=world.objective.pk).exists()


def test_the_web_app_asks_then_deletes_through_the_same_action(world: World) -> None:
    browser = Client()
    browser.force_login(world.member)
    page = "/o/acme/objectives/activation/delete/"
    asked = browser.get(page)
    assert asked.status_code == 200
    assert "2 key results" in asked.content.decode()
    assert Objective.objects.filter(pk=world.objective.pk).exists()
    draft = browser.get("/o/acme/objectives/activation/draft/").content.decode()
    assert page in draft
    done = browser.post(page, {"version": 1})
    assert done.status_code == 302 and done["Location"].startswith("/o/acme/teams/growth/draft/")
    assert not Objective.objects.filter(pk=world.objective.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="objective").count() == 1


def test_the_web_app_shows_a_refusal_without_deleting(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    browser = Client()
    browser.force_login(world.member)
    page = "/o/acme/objectives/activation/delete/"
    assert "say why" in browser.get(page).content.decode()
    refused = browser.post(page, {"version": 1, "reason": ""})
    assert refused.status_code == 422
    stale = browser.post(page, {"version": 7, "reason": "Merged"})
    assert stale.status_code == 409
    assert Objective.objects.filter(pk=world.objective.pk).exists()
