"""Check-in reminders: slots of the cadence, who is reminded of what, once, and the settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.core import mail
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from constellation.server.audit.models import AuditEvent
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Organization
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.tracking.cadence import Cadence, cadence_of
from constellation.server.tracking.models import ScheduledJob, SentReminder
from constellation.server.tracking.reminders import due_reminders, send_reminders
from constellation.server.worker.jobs import schedule_due
from tests.server.api_helpers import add_objectives, client_for
from tests.server.factories import World

SLOT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC: Acme's default cadence
NOW = "2026-11-16T09:05:00+00:00"


def launch(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_slots_follow_the_weekday_time_and_time_zone_across_daylight_saving() -> None:
    paris = Cadence(weekday=0, at=time(9, 0), time_zone="Europe/Paris")
    # Summer time ends on 25 October 2026: 09:00 in Paris is 07:00 UTC before, 08:00 after.
    slot = paris.latest_slot(datetime(2026, 10, 28, 12, 0, tzinfo=UTC))
    assert slot == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert paris.previous_slot(slot) == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert paris.next_slot(slot) == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    # A minute before the slot, the latest slot is still last week's.
    before = paris.latest_slot(datetime(2026, 10, 26, 7, 59, tzinfo=UTC))
    assert before == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    friday = Cadence(weekday=4, at=time(16, 30), time_zone="America/New_York")
    assert friday.latest_slot(SLOT) == datetime(2026, 11, 13, 21, 30, tzinfo=UTC)
    assert friday.describe() == "Friday at 16:30 (America/New_York)"


def test_each_owner_gets_one_reminder_listing_their_due_key_results(world: World) -> None:
    launch(world)
    with override_settings(SITE_URL="https://okr.example.com"):
        sent = send_reminders(world.org, SLOT)
    assert sent == 1
    notification = Notification.objects.get(recipient=world.member)
    assert notification.kind == "reminder"
    assert notification.title == "Check-in reminder: 2 key results at Acme Analytics"
    assert notification.url == "/o/acme/objectives/activation/"
    assert "since Monday 9 November" in notification.body
    assert "- Raise week-1 activation from 34% to 50%" in notification.body
    assert "- Cut median time to first dashboard from 3 days to 1 day" in notification.body
    assert (
        "https://okr.example.com/o/acme/objectives/activation/#kr-week1-activation"
        in notification.body
    )
    assert SentReminder.objects.get().person == world.member
    assert AuditEvent.objects.filter(action="send_reminder", actor=None).count() == 1


def test_the_email_leaves_after_commit_with_the_list_and_links(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    launch(world)
    with (
        override_settings(SITE_URL="https://okr.example.com"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_reminders(world.org, SLOT)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.com"]
    assert message.subject == "[Constellation] Check-in reminder: 2 key results at Acme Analytics"
    assert "Hello member," in message.body
    assert "https://okr.example.com/o/acme/objectives/activation/#kr-time-to-value" in message.body


def test_the_same_slot_is_never_sent_twice(world: World) -> None:
    launch(world)
    assert send_reminders(world.org, SLOT) == 1
    assert send_reminders(world.org, SLOT) == 0
    assert Notification.objects.filter(kind="reminder").count() == 1
    # The next week is another slot.
    assert send_reminders(world.org, datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == 1


def test_a_check_in_since_the_previous_slot_takes_the_key_result_off_the_list(
    world: World,
) -> None:
    launch(world)
    access = access_org(world.member, "acme")
    do_check_in(
        access, world.key_result, CheckInInput(value=44, checked_on=date(2026, 11, 9)), world.member
    )
    # Checked in before the previous slot's day: still due.
    do_check_in(
        access,
        world.second_key_result,
        CheckInInput(value=2, checked_on=date(2026, 11, 8)),
        world.member,
    )
    due = due_reminders(world.org, SLOT)
    assert [(d.person.username, [kr.slug for kr in d.key_results]) for d in due] == [
        ("member", ["time-to-value"])
    ]


def test_drafts_viewers_and_finished_milestones_are_left_out(world: World) -> None:
    assert due_reminders(world.org, SLOT) == []  # the objective is still a draft
    launch(world)
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(
        type=KeyResult.Type.MILESTONE, done=True
    )
    KeyResult.objects.filter(pk=world.key_result.pk).update(owner=world.viewer)
    assert due_reminders(world.org, SLOT) == []


def test_reminders_cost_the_same_queries_however_many_key_results(
    world: World, django_assert_max_num_queries: Any
) -> None:
    launch(world)
    with django_assert_max_num_queries(14):
        assert send_reminders(world.org, SLOT) == 1
    add_objectives(world, 30)
    Objective.objects.filter(slug__startswith="bulk-").update(state=Objective.State.LAUNCHED)
    later = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with django_assert_max_num_queries(14):
        assert send_reminders(world.org, later) == 1
    assert SentReminder.objects.get(slot=later).key_results == 62


def test_the_scheduler_enqueues_each_slot_once_and_skips_stale_slots(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    moment = datetime.fromisoformat(NOW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        keys = schedule_due(moment)
    # Reminders and digests of 2 orgs, a KPI sweep and the hourly rescore of stale scores.
    assert len(callbacks) == len(keys) == 6
    assert DBTaskResult.objects.filter(task_path__endswith="reminders_job").count() == 2
    assert schedule_due(moment) == []
    # Two days after the slot (beyond the catch-up window) only the sweep and rescore are due.
    late = schedule_due(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    assert [key.split(":")[0] for key in late] == ["kpi-sweep", "calendar"]
    assert ScheduledJob.objects.count() == 8


# The settings page and the API.

PAGE = "/o/acme/settings/reminders/"


def test_an_admin_changes_the_cadence_and_it_is_audited(world: World) -> None:
    client = login(world.admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Monday at 09:00 (UTC)" in page.content.decode()
    version = cadence_of(world.org).version
    body = {"weekday": "4", "at": "16:30", "time_zone": "Europe/Paris", "version": version}
    response = client.post(PAGE, body, follow=True)
    assert response.status_code == 200
    assert "Friday at 16:30 (Europe/Paris)" in response.content.decode()
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.checkin_weekday, org.checkin_time, org.time_zone) == (
        4,
        time(16, 30),
        "Europe/Paris",
    )
    event = AuditEvent.objects.get(action="set_checkin_cadence")
    assert event.actor == world.admin
    assert event.after == {"cadence": "Friday at 16:30 (Europe/Paris)"}


def test_the_next_reminders_show_in_the_zone_they_are_set_in(world: World) -> None:
    """Set for 09:00 in Paris, the next reminders read 09:00 (Europe/Paris), not the server's
    08:00 (UTC) in winter."""
    client = login(world.admin)
    version = cadence_of(world.org).version
    body = {"weekday": "2", "at": "09:00", "time_zone": "Europe/Paris", "version": version}
    page = client.post(PAGE, body, follow=True).content.decode()
    shown = page[page.index("Next reminders:") :]
    shown = shown[: shown.index("</p>")]
    assert "09:00</time> (Europe/Paris)" in shown
    assert "+01:00" in shown or "+02:00" in shown  # the machine-readable time keeps its zone


def test_a_bad_time_zone_keeps_what_was_typed_and_names_the_field(world: World) -> None:
    version = cadence_of(world.org).version
    body = {"weekday": "2", "at": "07:45", "time_zone": "Mars/Olympus", "version": version}
    response = login(world.admin).post(PAGE, body)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Mars/Olympus"' in html
    assert 'value="07:45"' in html
    assert "“Mars/Olympus” is not a time zone" in html
    assert 'id="id_time_zone-error"' in html
    assert Organization.objects.get(pk=world.org.pk).time_zone == "UTC"


def test_a_stale_edit_is_refused_and_overwrites_nothing(world: World) -> None:
    stale = cadence_of(world.org).version
    client = login(world.admin)
    first = {"weekday": "1", "at": "10:00", "time_zone": "UTC", "version": stale}
    assert client.post(PAGE, first).status_code == 302
    second = {"weekday": "3", "at": "08:00", "time_zone": "Asia/Tokyo", "version": stale}
    response = client.post(PAGE, second)
    assert response.status_code == 409
    assert "Someone changed the cadence to Tuesday at 10:00 (UTC)" in response.content.decode()
    assert 'value="Asia/Tokyo"' in response.content.decode()
    assert Organization.objects.get(pk=world.org.pk).checkin_weekday == 1


def test_members_and_viewers_read_the_cadence_but_only_admins_change_it(world: World) -> None:
    body = {"weekday": "4", "at": "16:30", "time_zone": "UTC", "version": "1"}
    for person in (world.member, world.leader, world.viewer):
        client = login(person)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "<fieldset disabled>" in page.content.decode()
        assert client.post(PAGE, body).status_code == 403
    assert login(world.outsider).get(PAGE).status_code == 404
    assert login(world.outsider).post(PAGE, body).status_code == 404
    assert Organization.objects.get(pk=world.org.pk).checkin_weekday == 0


def test_the_page_runs_the_same_queries_with_many_reminders_sent(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = login(world.admin)
    client.get(PAGE)
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    launch(world)
    for week in range(20):
        send_reminders(world.org, datetime(2026, 10, 5 + 7 * (week % 4), 9, tzinfo=UTC))
    SentReminder.objects.bulk_create(
        SentReminder(
            organization=world.org, person=world.admin, slot=datetime(2026, 1, d, tzinfo=UTC)
        )
        for d in range(1, 29)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(PAGE)
    assert page.content.decode().count("reminded</li>") == 5


def test_the_api_reads_and_changes_the_cadence_with_the_same_rules(world: World) -> None:
    admin = client_for(world.admin, world.org)
    read = admin.get("/orgs/acme/settings/reminders")
    assert read.status_code == 200
    assert read.data["weekday_name"] == "Monday"
    assert read.data["time"] == "09:00"
    assert read.data["next_slot"].startswith("20")
    version = read.data["version"]
    body = {"weekday": 2, "time": "8:15", "time_zone": "Europe/Berlin", "version": version}
    changed = admin.call("put", "/orgs/acme/settings/reminders", body)
    assert changed.status_code == 200, changed.data
    assert (changed.data["weekday_name"], changed.data["time"]) == ("Wednesday", "08:15")
    stale = admin.call("put", "/orgs/acme/settings/reminders", body)
    assert stale.status_code == 409
    assert stale.data["current_version"] == changed.data["version"]
    bad = {**body, "version": changed.data["version"], "time_zone": "Nowhere/Land"}
    problem = admin.call("put", "/orgs/acme/settings/reminders", bad)
    assert problem.status_code == 422
    assert problem.data["errors"][0]["path"] == "$.time_zone"
    bad_time = {**body, "version": changed.data["version"], "time": "25:99"}
    assert (
        admin.call("put", "/orgs/acme/settings/reminders", bad_time).data["errors"][0]["path"]
        == "$.time"
    )
    member = client_for(world.member, world.org)
    assert member.call("put", "/orgs/acme/settings/reminders", bad).status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get("/orgs/acme/settings/reminders").status_code == 404
    assert Organization.objects.get(pk=world.org.pk).time_zone == "Europe/Berlin"
