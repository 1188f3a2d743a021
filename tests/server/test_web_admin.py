"""The Django admin for operators: every model listed, bounded queries, edits audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Objective
from tests.server.bulk import add_check_ins, add_objectives
from tests.server.factories import World

APPS = ("orgs", "audit", "strategy", "kpis", "okrs", "tracking", "notifications", "api", "people")


def changelist(model: type) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


@pytest.fixture
def operator(world: World) -> User:
    return User.objects.create_superuser("operator", "operator@example.com", "x")


def test_every_model_of_every_app_is_in_the_admin(db: None) -> None:
    from django.apps import apps

    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            assert admin.site.is_registered(model), f"{label}.{model.__name__}"


@pytest.mark.parametrize("label", APPS)
def test_each_list_runs_the_same_queries_for_few_and_many_rows(
    client, world: World, operator: User, label: str
) -> None:
    from django.apps import apps

    client.force_login(operator)
    models = list(apps.get_app_config(label).get_models())
    add_objectives(world, 3)
    add_check_ins(world.key_result, 3, author=world.member)
    AuditEvent.objects.create(organization=world.org, action="update", object_type="objective")
    few = {}
    for model in models:
        client.get(changelist(model))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(changelist(model)).status_code == 200
        few[model] = len(queries)
    add_objectives(world, 60, start=3)
    add_check_ins(world.key_result, 60, author=world.leader)
    for number in range(60):
        AuditEvent.objects.create(
            organization=world.org, actor=world.member, action="update", object_type=str(number)
        )
    for model in models:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(changelist(model)).status_code == 200
        assert len(queries) == few[model], model.__name__


def test_the_admin_searches_objectives(client, world: World, operator: User) -> None:
    client.force_login(operator)
    response = client.get(changelist(Objective), {"q": "first week"})
    assert "New teams get to value in their first week" in response.content.decode()
    assert "Customers stay with us" not in response.content.decode()


def test_an_admin_edit_is_audited_and_bumps_the_version(
    client, world: World, operator: User
) -> None:
    client.force_login(operator)
    url = reverse("admin:okrs_objective_change", args=[world.objective.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["title"] = "Edited by an operator"
    data.update(
        {
            "key_results-TOTAL_FORMS": "0",
            "key_results-INITIAL_FORMS": "0",
            "key_results-MIN_NUM_FORMS": "0",
            "key_results-MAX_NUM_FORMS": "1000",
        }
    )
    data["levers"] = [world.lever.pk]
    data["guardrails"] = [world.kpi.pk]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    objective = Objective.objects.get(pk=world.objective.pk)
    assert objective.title == "Edited by an operator"
    assert objective.version == 2
    event = AuditEvent.objects.get(action="admin_change")
    assert event.actor == operator
    assert event.organization == world.org
    assert event.before["title"] == "New teams get to value in their first week"
    assert event.after["title"] == "Edited by an operator"


def test_the_audit_history_cannot_be_changed_in_the_admin(
    client, world: World, operator: User
) -> None:
    event = AuditEvent.objects.create(organization=world.org, action="update", object_type="x")
    client.force_login(operator)
    url = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.post(url, {"action": "forged"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "update"


def test_api_token_hashes_are_not_shown(client, world: World, operator: User) -> None:
    from constellation.server.tokens.actions import do_create_token

    token, _ = do_create_token(world.member, world.org, "script")
    client.force_login(operator)
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert token.token_hash not in page.content.decode()


def test_members_who_are_not_staff_are_kept_out(client, world: World) -> None:
    client.force_login(world.admin)
    response = client.get(changelist(Objective))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
