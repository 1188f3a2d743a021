"""The KPI page's forms wait behind buttons that open them, open again when they hold errors."""

from __future__ import annotations

from django.urls import reverse

from tests.server.factories import World


def _url(name: str) -> str:
    return reverse(name, kwargs={"org": "acme", "kpi": "logo-churn"})


def test_the_reading_and_upload_forms_start_closed(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(_url("kpi")).content.decode()
    assert '<details class="drawer" id="add-reading">' in html
    assert '<details class="drawer" id="upload">' in html
    assert "Add the reading" in html  # in the page, behind its button


def test_a_refused_reading_comes_back_in_its_open_drawer(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(_url("kpi-reading-add"), {"value": "", "date": "2026-11-03"})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<details class="drawer" id="add-reading" open>' in html
    assert '<details class="drawer" id="upload">' in html
