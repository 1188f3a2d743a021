"""Automatic updates in the web app: set up, test now, remove; status for everyone, secrets for
nobody; the pages read a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult
from constellation.server.sealed import seal
from constellation.server.sources.actions import do_sync_source
from constellation.server.sources.models import DataSource
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result
from tests.server.source_servers import Answer, Endpoint, prometheus_vector, serve

OBJECTIVE = "/o/acme/objectives/activation/"
KR_SOURCE = "/o/acme/objectives/activation/key-results/week1-activation/source/"
KPI = "/o/acme/kpis/logo-churn/"
KPI_SOURCE = "/o/acme/kpis/logo-churn/source/"
SECRET = "Bearer web-secret-never-shown"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A JSON server on 127.0.0.1."""
    with serve() as running:
        yield running


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def form(endpoint: Endpoint, action: str = "save", **extra: str) -> dict[str, str]:
    """The source form as the browser sends it."""
    return {
        "kind": "http_json",
        "url": f"{endpoint.base}/metrics",
        "query": "$.rate",
        "header_name": "Authorization",
        "header_value": SECRET,
        "interval_minutes": "60",
        "timeout_seconds": "5",
        "action": action,
        **extra,
    }


def test_the_owner_sets_up_a_source_from_the_objective_pages_drawer(
    world: World, endpoint: Endpoint
) -> None:
    client = login(world.member)
    page = client.get(OBJECTIVE).content.decode()
    assert 'id="kr-week1-activation-source"' in page
    assert f'action="{KR_SOURCE}"' in page
    response = client.post(KR_SOURCE, form(endpoint))
    assert response.status_code == 302
    assert response["Location"] == f"{OBJECTIVE}#kr-week1-activation"
    source = DataSource.objects.get()
    assert (source.key_result, source.created_by, source.interval_minutes) == (
        world.key_result,
        world.member,
        60,
    )
    assert SECRET not in source.sealed_header_value
    for url in (OBJECTIVE, KR_SOURCE):
        html = client.get(url).content.decode()
        assert SECRET not in html
        assert "set — leave empty to keep" in html


def test_test_now_shows_the_value_and_records_nothing(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/metrics"] = Answer(body={"rate": "44.5"})
    client = login(world.member)
    response = client.post(KR_SOURCE, form(endpoint, "test"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test now: the source gives <strong>44.5</strong>. Nothing was recorded." in html
    assert SECRET not in html
    assert endpoint.asked[-1]["headers"]["Authorization"] == SECRET
    assert not DataSource.objects.exists() and not CheckIn.objects.exists()
    assert not AuditEvent.objects.exists()
    endpoint.answers["/metrics"] = Answer(500)
    html = client.post(KR_SOURCE, form(endpoint, "test")).content.decode()
    assert "Test now failed:" in html and "answered HTTP 500" in html


def test_bad_input_is_shown_next_to_its_field_and_kept(world: World, endpoint: Endpoint) -> None:
    response = login(world.member).post(KR_SOURCE, form(endpoint, query="$[?"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="source-query-error"' in html and "is not valid" in html
    assert not DataSource.objects.exists()


def test_a_viewer_sees_the_status_and_error_but_no_form_and_no_secret(
    world: World, endpoint: Endpoint
) -> None:
    login(world.member).post(KR_SOURCE, form(endpoint))
    endpoint.answers["/metrics"] = Answer(body={"rate": "n/a"})
    assert do_sync_source(DataSource.objects.get().pk) == "failed"
    viewer = login(world.viewer)
    for url in (OBJECTIVE, KR_SOURCE):
        html = viewer.get(url).content.decode()
        assert "the value at $.rate is the text &quot;n/a&quot;, not a number" in html
        assert "Test now" not in html
        assert SECRET not in html
    assert viewer.post(KR_SOURCE, form(endpoint)).status_code == 403
    assert viewer.post(KR_SOURCE, {"action": "remove"}).status_code == 403


def test_a_member_of_another_team_may_not_manage_the_source(
    world: World, endpoint: Endpoint
) -> None:
    KeyResult.objects.filter(pk=world.key_result.pk).update(owner=world.admin)
    world.objective.owner = world.admin
    world.objective.save()
    client = login(world.member)
    assert "Test now" not in client.get(OBJECTIVE).content.decode()
    assert client.post(KR_SOURCE, form(endpoint)).status_code == 403
    assert not DataSource.objects.exists()


def test_automatic_check_ins_carry_a_badge(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/metrics"] = Answer(body={"rate": 45})
    client = login(world.member)
    client.post(KR_SOURCE, form(endpoint))
    assert do_sync_source(DataSource.objects.get().pk) == "recorded"
    html = client.get(OBJECTIVE).content.decode()
    assert 'class="tag tag-automatic"' in html


def test_removing_the_source_goes_back_to_checking_in_by_hand(
    world: World, endpoint: Endpoint
) -> None:
    client = login(world.member)
    client.post(KR_SOURCE, form(endpoint))
    response = client.post(KR_SOURCE, {"action": "remove", "version": "1"})
    assert response.status_code == 302
    assert not DataSource.objects.exists()
    assert AuditEvent.objects.filter(action="remove_source").count() == 1


def test_a_leader_sets_up_a_kpis_source_and_members_only_see_it(
    world: World, endpoint: Endpoint
) -> None:
    endpoint.answers["/api/v1/query"] = Answer(body=prometheus_vector("2.4"))
    body = {
        "kind": "prometheus",
        "url": endpoint.base,
        "query": "churn_ratio",
        "interval_minutes": "1440",
        "timeout_seconds": "5",
    }
    leader = login(world.leader)
    tested = leader.post(KPI_SOURCE, {**body, "action": "test"}).content.decode()
    assert "the source gives <strong>2.4</strong>" in tested
    assert leader.post(KPI_SOURCE, body).status_code == 302
    page = leader.get(KPI).content.decode()
    assert 'id="automatic-updates"' in page and "churn_ratio" in page
    member = login(world.member)
    assert "Test now" not in member.get(KPI).content.decode()
    assert member.post(KPI_SOURCE, body).status_code == 403


def _fed_key_results(world: World, count: int, start: int) -> None:
    for number in range(start, start + count):
        kr = make_key_result(
            world.objective, f"fed-{number}", f"Raise fed {number} from 0 to 10", target=10
        )
        DataSource.objects.create(
            organization=world.org,
            key_result=kr,
            kind="http_json",
            url="http://127.0.0.1:9/metrics",
            query="$.rate",
            header_name="Authorization",
            sealed_header_value=seal(SECRET),
            next_run_at=timezone.now(),
            created_by=world.member,
            last_error="the answer of http://127.0.0.1:9/metrics is not JSON",
            failures=2,
        )


def test_the_objective_page_reads_the_same_queries_for_2_and_20_sources(world: World) -> None:
    client = login(world.member)
    _fed_key_results(world, 2, 0)
    client.get(OBJECTIVE)
    with CaptureQueriesContext(connection) as few:
        client.get(OBJECTIVE)
    _fed_key_results(world, 18, 2)
    with CaptureQueriesContext(connection) as many:
        html = client.get(OBJECTIVE).content.decode()
    assert html.count('class="drawer source-drawer"') == 22  # 20 fed, 2 offered a source
    assert SECRET not in html
    assert len(many) == len(few)


def test_the_source_page_reads_a_fixed_number_of_queries(
    world: World, endpoint: Endpoint, django_assert_max_num_queries: object
) -> None:
    client = login(world.member)
    client.post(KR_SOURCE, form(endpoint))
    # Session, user, membership, key result, source, may-manage, switcher, unread count.
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client.get(KR_SOURCE).status_code == 200


def test_my_week_says_which_key_results_update_themselves(world: World, endpoint: Endpoint) -> None:
    client = login(world.member)
    client.post(KR_SOURCE, form(endpoint))
    html = client.get("/o/acme/my-week/").content.decode()
    assert f'href="{KR_SOURCE}"' in html and "updated automatically" in html
    endpoint.answers["/metrics"] = Answer(500)
    assert do_sync_source(DataSource.objects.get().pk) == "failed"
    assert "automatic updates failing" in client.get("/o/acme/my-week/").content.decode()
