"""Correcting and deleting a check-in: its author or an admin, with its version; the key result
follows when the check-in was its latest reading, and keeps a value an OKR file set since."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult
from constellation.server.plans.stored import rescore_organization
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World, make_key_result

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/key-results/activation/week1-activation/check-ins"


def _check_in(client: ApiClient, value: float, day: str, **more: Any) -> int:
    answer = client.post(URL, {"value": value, "date": day, **more})
    assert answer.status_code == 201
    return int(answer.data["check_in"]["id"])


def _current(world: World) -> float | None:
    return KeyResult.objects.get(pk=world.key_result.pk).current


def test_the_author_corrects_the_latest_check_in_and_the_key_result_follows(world: World) -> None:
    member = client_for(world.member, world.org)
    _check_in(member, 44, "2026-11-10")
    latest = _check_in(member, 46, "2026-11-14", confidence=8, note="typo")
    corrected = member.patch(f"{URL}/{latest}", {"version": 1, "value": 48, "note": "fixed"})
    assert corrected.status_code == 200
    assert corrected.data["check_in"]["value"] == 48
    assert corrected.data["check_in"]["version"] == 2
    assert corrected.data["check_in"]["confidence"] == 8  # not sent: kept
    assert corrected.data["key_result"]["current"] == 48
    assert corrected.data["key_result"]["progress"] == pytest.approx(14 / 16, abs=1e-4)
    assert _current(world) == 48
    event = AuditEvent.objects.get(action="update", object_type="checkin")
    assert (event.before["value"], event.after["value"]) == (46, 48)
    assert (event.before["note"], event.after["note"]) == ("typo", "fixed")
    assert event.actor == world.member and event.objective_id == world.objective.pk
    assert rescore_organization(world.org).total == 0


def test_correcting_an_older_check_in_leaves_the_current_value(world: World) -> None:
    member = client_for(world.member, world.org)
    older = _check_in(member, 44, "2026-11-10")
    _check_in(member, 46, "2026-11-14")
    assert member.patch(f"{URL}/{older}", {"version": 1, "value": 43}).status_code == 200
    assert _current(world) == 46
    assert CheckIn.objects.get(pk=older).value == 43


def test_a_stale_version_is_a_409_and_the_check_in_stays(world: World) -> None:
    member = client_for(world.member, world.org)
    made = _check_in(member, 44, "2026-11-10")
    assert member.patch(f"{URL}/{made}", {"version": 1, "value": 45}).status_code == 200
    stale = member.patch(f"{URL}/{made}", {"version": 1, "value": 47})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    gone = member.delete(f"{URL}/{made}?version=1")
    assert gone.status_code == 409
    assert CheckIn.objects.get(pk=made).value == 45 and _current(world) == 45


def test_a_bad_correction_is_a_422_naming_the_field(world: World) -> None:
    member = client_for(world.member, world.org)
    made = _check_in(member, 44, "2026-11-10")
    refused = member.patch(f"{URL}/{made}", {"version": 1, "value": None})
    assert refused.status_code == 422 and refused.data["errors"][0]["path"] == "$.value"
    too_sure = member.patch(f"{URL}/{made}", {"version": 1, "confidence": 11})
    assert too_sure.status_code == 422
    unversioned = member.delete(f"{URL}/{made}")
    assert unversioned.status_code == 422
    assert unversioned.data["errors"][0]["loc"] == ["query", "version"]


def test_deleting_the_latest_check_in_falls_back_to_the_one_before(world: World) -> None:
    member = client_for(world.member, world.org)
    _check_in(member, 44, "2026-11-10", confidence=6)
    latest = _check_in(member, 46, "2026-11-14", confidence=8)
    assert member.delete(f"{URL}/{latest}?version=1").status_code == 204
    kr = KeyResult.objects.get(pk=world.key_result.pk)
    assert (kr.current, kr.confidence) == (44, 6)
    event = AuditEvent.objects.get(action="delete", object_type="checkin")
    assert event.before["value"] == 46 and event.actor == world.member
    assert rescore_organization(world.org).total == 0
    assert member.delete(f"{URL}/{latest}?version=1").status_code == 404


def test_deleting_the_only_check_in_restores_what_the_key_result_held_before(
    world: World,
) -> None:
    member = client_for(world.member, world.org)
    made = _check_in(member, 46, "2026-11-14")
    assert _current(world) == 46
    assert member.delete(f"{URL}/{made}?version=1").status_code == 204
    assert _current(world) == 41  # as it was loaded, before anyone checked in
    assert rescore_organization(world.org).total == 0


def test_a_milestone_without_history_goes_back_to_not_done(world: World) -> None:
    make_key_result(world.objective, "wizard", "Ship the setup wizard", type="milestone")
    url = "/orgs/acme/key-results/activation/wizard/check-ins"
    member = client_for(world.member, world.org)
    made = member.post(url, {"done": True}).data["check_in"]["id"]
    AuditEvent.objects.filter(action="check_in").delete()  # a history that does not say
    assert member.delete(f"{url}/{made}?version=1").status_code == 204
    kr = KeyResult.objects.get(objective=world.objective, slug="wizard")
    assert kr.done is None
    assert rescore_organization(world.org).total == 0


def test_a_value_an_okr_file_set_since_is_kept(world: World) -> None:
    member = client_for(world.member, world.org)
    made = _check_in(member, 46, "2026-11-14")
    # An import of an OKR file stating `current: 47` wrote the column after the check-in.
    KeyResult.objects.filter(pk=world.key_result.pk).update(current=47)
    assert member.patch(f"{URL}/{made}", {"version": 1, "value": 45}).status_code == 200
    assert _current(world) == 47
    assert member.delete(f"{URL}/{made}?version=2").status_code == 204
    assert _current(world) == 47


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("leader", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_the_author_or_an_admin_corrects(world: World, who: str, status: int) -> None:
    made = _check_in(client_for(world.member, world.org), 44, "2026-11-10")
    org = world.other_org if who == "outsider" else world.org
    answer = client_for(getattr(world, who), org).patch(
        f"{URL}/{made}", {"version": 1, "value": 45}
    )
    assert answer.status_code == status
    assert CheckIn.objects.get(pk=made).value == (45 if status == 200 else 44)


@pytest.mark.parametrize(("who", "status"), [("admin", 204), ("leader", 403), ("outsider", 404)])
def test_only_the_author_or_an_admin_deletes(world: World, who: str, status: int) -> None:
    made = _check_in(client_for(world.member, world.org), 44, "2026-11-10")
    org = world.other_org if who == "outsider" else world.org
    answer = client_for(getattr(world, who), org).delete(f"{URL}/{made}?version=1")
    assert answer.status_code == status
    assert CheckIn.objects.filter(pk=made).exists() == (status != 204)


def test_another_key_results_check_in_is_not_found_here(world: World) -> None:
    member = client_for(world.member, world.org)
    made = _check_in(member, 44, "2026-11-10")
    other = "/orgs/acme/key-results/activation/time-to-value/check-ins"
    assert member.patch(f"{other}/{made}", {"version": 1, "value": 2}).status_code == 404


def test_the_web_history_offers_the_author_a_correction_behind_its_own_page(world: World) -> None:
    made = _check_in(client_for(world.member, world.org), 44, "2026-11-10", note="first")
    browser = Client()
    browser.force_login(world.member)
    page = browser.get("/o/acme/objectives/activation/").content.decode()
    correct = (
        f"/o/acme/objectives/activation/key-results/week1-activation/check-ins/{made}/correct/"
    )
    delete = correct.replace("/correct/", "/delete/")
    assert correct in page and delete in page
    form = browser.get(correct)
    assert form.status_code == 200 and 'value="44.0"' in form.content.decode()
    saved = browser.post(correct, {"version": 1, "value": 45, "confidence": 7, "note": "fixed"})
    assert saved.status_code == 302
    assert (CheckIn.objects.get(pk=made).value, _current(world)) == (45, 45)
    stale = browser.post(correct, {"version": 1, "value": 46})
    assert stale.status_code == 409 and CheckIn.objects.get(pk=made).value == 45
    history = browser.get("/o/acme/objectives/activation/").content.decode()
    assert "the check-in of 2026-11-10 on “Raise week-1 activation from 34% to 50%”" in history
    asked = browser.get(delete)
    assert asked.status_code == 200 and CheckIn.objects.filter(pk=made).exists()
    assert browser.post(delete, {"version": 1}).status_code == 409
    assert browser.post(delete, {"version": 2}).status_code == 302
    assert not CheckIn.objects.filter(pk=made).exists() and _current(world) == 41


def test_the_web_history_offers_no_correction_to_someone_else(world: World) -> None:
    made = _check_in(client_for(world.member, world.org), 44, "2026-11-10")
    browser = Client()
    browser.force_login(world.leader)
    correct = (
        f"/o/acme/objectives/activation/key-results/week1-activation/check-ins/{made}/correct/"
    )
    assert correct not in browser.get("/o/acme/objectives/activation/").content.decode()
    assert "Only who made this check-in" in browser.get(correct).content.decode()
    refused = browser.post(correct, {"version": 1, "value": 45})
    assert refused.status_code == 403 and CheckIn.objects.get(pk=made).value == 44
    admin = Client()
    admin.force_login(world.admin)
    assert correct in admin.get("/o/acme/objectives/activation/").content.decode()
