"""My week: what a person owns this period, checked in on with one form, and its charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from constellation.core.periods import parse_period
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result, make_objective, make_period

URL = "/o/acme/my-week/"


def this_quarter() -> str:
    """The key of the quarter containing today, so the period is always the current one."""
    day = timezone.localdate()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def week(world: World) -> World:
    """The standard world with its period moved to the current quarter, and a milestone."""
    calendar = parse_period(this_quarter())
    Period.objects.filter(pk=world.period.pk).update(
        key=calendar.key, start=calendar.start, end=calendar.end
    )
    world.period.refresh_from_db()
    # Launched: a week's check-ins are on objectives being tracked (a draft has no pace).
    Objective.objects.filter(pk=world.objective.pk).update(state="launched", state_given=True)
    make_key_result(
        world.objective, "wizard", "Ship the setup wizard", type="milestone", position=2
    )
    return world


def row(kr: KeyResult, **fields: str) -> dict[str, str]:
    """Form data for one row of the week form."""
    return {f"kr-{kr.pk}-{name}": value for name, value in fields.items()}


class Labels(HTMLParser):
    """Every label's `for` and text, and every input's id, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self.inputs: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "label":
            self._open = found["for"]
            self.labels[self._open] = ""
        elif tag in {"input", "textarea", "select"} and found.get("type") != "hidden":
            self.inputs.append(found["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.labels[self._open] += data


def test_the_page_lists_what_the_person_owns_with_value_progress_confidence_and_status(
    client, week: World
) -> None:
    led = make_objective(
        week.org, week.team, week.period, "speed", "Dashboards feel instant", owner=week.leader
    )
    mine = make_key_result(led, "p95", "Cut p95 load time from 3 s to 1 s", owner=week.member)
    make_key_result(led, "cache", "Raise cache hits from 40% to 90%", owner=week.leader)
    closed = make_objective(
        week.org, week.team, week.period, "old", "Closed work", owner=week.member, state="closed"
    )
    make_key_result(closed, "gone", "Finished key result", owner=week.member)
    past = make_objective(
        week.org, week.team, make_period(week.org, "2020-Q1"), "past", "Old news", owner=week.member
    )
    make_key_result(past, "past-kr", "Past key result", owner=week.member)
    Initiative.objects.create(objective=week.objective, title="Guided setup", status="in_progress")
    moving = Initiative.objects.create(objective=led, title="Edge caching", status="planned")
    moving.moves.add(mine)
    Initiative.objects.create(objective=led, title="Someone else's work")
    CheckIn.objects.create(
        key_result=week.key_result, value=41, confidence=7, checked_on=week.period.start
    )
    client.force_login(week.member)
    html = client.get(URL).content.decode()
    assert "Raise week-1 activation from 34% to 50%" in html
    assert "Cut median time to first dashboard" in html  # of an objective the member owns
    assert "Cut p95 load time" in html  # owned by the member on someone else's objective
    assert "Raise cache hits" not in html
    assert "Finished key result" not in html and "Past key result" not in html
    assert "Last confidence: 7/10" in html
    assert '<strong class="current">41%</strong>' in html
    assert 'role="progressbar"' in html and 'class="status status-' in html
    assert "Guided setup" in html and "in progress" in html
    assert "Edge caching" in html and "Someone else&#x27;s work" not in html
    assert html.count('<svg class="chart"') == 3  # the milestone has no chart
    assert f'id="week-chart-{week.key_result.pk}" role="img"' in html
    assert "<table class='chart-table'>" in html
    assert re.search(r'<a href="/o/acme/my-week/"[^>]*>.*?My week</a>', html)


def test_every_field_has_a_visible_label_unique_to_its_key_result(client, week: World) -> None:
    client.force_login(week.member)
    parser = Labels()
    parser.feed(client.get(URL).content.decode())
    assert parser.inputs and all(ident in parser.labels for ident in parser.inputs)
    texts = [" ".join(text.split()) for text in parser.labels.values()]
    assert len(set(texts)) == len(texts)
    assert "Value (%) for “Raise week-1 activation from 34% to 50%”" in texts
    assert "Done for “Ship the setup wizard”" in texts
    assert "Confidence (0-10) for “Ship the setup wizard”" in texts


def test_one_submit_checks_in_on_several_key_results_and_skips_blank_rows(
    client, week: World
) -> None:
    wizard = KeyResult.objects.get(slug="wizard")
    client.force_login(week.member)
    data = {
        **row(week.key_result, value="45.5", confidence="8", note="new onboarding email"),
        **row(week.second_key_result, value="", confidence="", note=""),
        **row(wizard, done="on", confidence="9", note="shipped"),
    }
    response = client.post(URL, data)
    assert response.status_code == 302 and response.url == URL
    assert CheckIn.objects.count() == 2
    saved = CheckIn.objects.get(key_result=week.key_result)
    assert (saved.value, saved.confidence, saved.note, saved.author) == (
        45.5,
        8,
        "new onboarding email",
        week.member,
    )
    assert CheckIn.objects.get(key_result=wizard).done is True
    week.key_result.refresh_from_db()
    wizard.refresh_from_db()
    assert (week.key_result.current, week.key_result.confidence, wizard.done) == (45.5, 8, True)
    assert not CheckIn.objects.filter(key_result=week.second_key_result).exists()
    assert AuditEvent.objects.filter(action="check_in").count() == 2
    assert "2 check-ins recorded." in client.get(URL).content.decode()


def test_a_milestone_row_with_a_confidence_but_no_tick_says_not_done_yet(
    client, week: World
) -> None:
    wizard = KeyResult.objects.get(slug="wizard")
    client.force_login(week.member)
    client.post(URL, row(wizard, confidence="4", note="late"))
    check_in = CheckIn.objects.get()
    assert (check_in.done, check_in.confidence) == (False, 4)


def test_an_htmx_submit_answers_with_the_section_and_its_new_status(client, week: World) -> None:
    client.force_login(week.member)
    data = {
        **row(week.key_result, value="50", confidence="9"),
        **row(week.second_key_result, value="1", confidence="9"),
    }
    response = client.post(URL, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="my-week"')
    assert "<html" not in html
    assert "2 check-ins recorded." in html
    assert '<strong class="current">50%</strong>' in html
    objective = html[html.index('id="week-objective-activation"') :]
    assert 'status-on_track"><span aria-hidden="true">●</span> On track' in objective[:2000]
    # The form is blank again, ready for next week.
    assert f'name="kr-{week.key_result.pk}-value" step="any" id=' in html
    assert 'value="50"' not in html


def test_an_invalid_row_keeps_everything_typed_and_saves_nothing(client, week: World) -> None:
    client.force_login(week.member)
    data = {
        **row(week.key_result, value="45", confidence="11", note="typed with care"),
        **row(week.second_key_result, note="forgot the value"),
        **row(KeyResult.objects.get(slug="wizard"), done="on", note="valid on its own"),
    }
    response = client.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    first = week.key_result.pk
    field = html[html.index(f'<label for="week-kr-{first}-confidence">') :]
    field = field[: field.index("</div>")]
    assert f'id="week-kr-{first}-confidence-error"' in field
    assert "less than or equal to 10" in field
    assert 'value="11"' in field and 'aria-invalid="true"' in field
    second = week.second_key_result.pk
    value = html[html.index(f'<label for="week-kr-{second}-value">') :]
    assert "a check-in on a metric needs a value" in value[: value.index("</div>")]
    assert "typed with care</textarea>" in html and "forgot the value</textarea>" in html
    assert "valid on its own</textarea>" in html and "checked" in html
    assert "Nothing was saved: 2 key results need a fix" in html
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(action="check_in").exists()


def test_an_invalid_htmx_submit_answers_422_with_the_section(client, week: World) -> None:
    client.force_login(week.member)
    response = client.post(
        URL, row(week.key_result, value="abc", note="keep me"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="my-week"')
    assert "Enter a number." in html and 'value="abc"' in html and "keep me</textarea>" in html
    assert not CheckIn.objects.exists()


def test_an_empty_submit_says_there_is_nothing_to_check_in(client, week: World) -> None:
    client.force_login(week.member)
    response = client.post(URL, row(week.key_result, value="", note="  "))
    assert response.status_code == 422
    assert "Nothing to check in" in response.content.decode()


def test_rows_of_key_results_someone_else_owns_are_ignored(client, week: World) -> None:
    theirs = make_key_result(
        make_objective(week.org, week.team, week.period, "theirs", "Not mine", owner=week.leader),
        "their-kr",
        "Their key result",
    )
    client.force_login(week.member)
    response = client.post(URL, row(theirs, value="99", confidence="5"))
    assert response.status_code == 422
    assert not CheckIn.objects.exists()


def test_a_viewer_sees_their_week_without_a_form_and_cannot_post(client, week: World) -> None:
    KeyResult.objects.filter(pk=week.key_result.pk).update(owner=week.viewer)
    client.force_login(week.viewer)
    html = client.get(URL).content.decode()
    assert "Raise week-1 activation" in html
    assert '<form class="week-form"' not in html and "Check in on all" not in html
    response = client.post(URL, row(week.key_result, value="99"))
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_someone_with_nothing_of_their_own_is_told_so(client, week: World) -> None:
    client.force_login(week.admin)
    html = client.get(URL).content.decode()
    assert "You own no key result and no objective" in html
    assert "Check in on all" not in html


def test_an_outsider_gets_404_and_someone_signed_out_is_sent_to_sign_in(
    client, week: World
) -> None:
    client.force_login(week.outsider)
    assert client.get(URL).status_code == 404
    assert client.post(URL, row(week.key_result, value="1")).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302
    assert not CheckIn.objects.exists()


def test_after_a_check_in_the_objective_page_shows_the_new_status_and_chart_point(
    client, week: World
) -> None:
    client.force_login(week.member)
    objective_url = reverse("objective", kwargs={"org": "acme", "slug": "activation"})
    before = client.get(objective_url).content.decode()
    chart = before[before.index(f'<svg class="chart" id="kr-chart-{week.key_result.pk}"') :]
    assert chart[: chart.index("</svg>")].count("<circle") == 0
    data = {
        **row(week.key_result, value="50", confidence="9"),
        **row(week.second_key_result, value="1", confidence="9"),
        **row(KeyResult.objects.get(slug="wizard"), done="on", confidence="9"),
    }
    client.post(URL, data)
    after = client.get(objective_url).content.decode()
    summary = after[after.index('id="objective-summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "On track" in summary and 'aria-valuenow="100"' in summary
    chart = after[after.index(f'<svg class="chart" id="kr-chart-{week.key_result.pk}"') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count("<circle") == 1
    today = timezone.localdate()
    assert f"<title>{today.day} {today:%b %Y}: 50%</title></circle>" in chart
    assert "expected pace: from 34%" in chart and "target: 50%" in chart


def make_key_results(world: World, count: int) -> None:
    """`count` more key results owned by the member, with a check-in each."""
    objective = make_objective(
        world.org, world.team, world.period, "many", "Many key results", owner=world.member
    )
    rows = KeyResult.objects.bulk_create(
        KeyResult(
            objective=objective,
            slug=f"kr-{index}",
            title=f"Raise signal {index} from 0 to 10",
            baseline=0,
            target=10,
            position=index,
        )
        for index in range(count)
    )
    CheckIn.objects.bulk_create(
        CheckIn(key_result=kr, value=1, confidence=5, checked_on=world.period.start) for kr in rows
    )


def queries(client, method: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(URL, data or {})
    assert response.status_code in {200, 302}
    return len(captured)


def test_the_page_and_its_submit_run_as_many_queries_for_3_key_results_as_for_60(
    client, week: World
) -> None:
    client.force_login(week.member)
    make_key_results(week, 3)
    few_page = queries(client, "get")
    few_post = queries(client, "post", row(week.key_result, value="42", confidence="6"))
    objective = Objective.objects.get(slug="many")
    KeyResult.objects.bulk_create(
        KeyResult(
            objective=objective, slug=f"more-{i}", title=f"Raise more {i} from 0 to 5", target=5
        )
        for i in range(57)
    )
    assert KeyResult.objects.filter(objective=objective).count() == 60
    many_page = queries(client, "get")
    many_post = queries(client, "post", row(week.key_result, value="43", confidence="6"))
    assert many_page == few_page
    assert many_post == few_post
    page = client.get(URL).content.decode()
    assert len(re.findall(r'<svg class="chart" id="week-chart-', page)) == 60 + 2
