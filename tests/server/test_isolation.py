"""Every URL of the project, walked as an outsider, a viewer and someone signed out.

The list comes from the URL resolver (web pages, the admin and everything under /api/v1), so
a new URL is covered the day it is added. An outsider gets 404 under another organisation and
never sees its data; a viewer reads but cannot change anything; nothing changes either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from constellation.server.api.urls import api
from constellation.server.audit.models import AuditEvent
from constellation.server.integrations.models import Delivery, Webhook
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import (
    Alignment,
    Initiative,
    InitiativeLink,
    KeyResult,
    Objective,
)
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.people.models import Invitation
from constellation.server.sealed import seal
from constellation.server.sources.models import DataSource
from constellation.server.strategy.models import Lever
from constellation.server.tokens.actions import do_create_token
from constellation.server.tokens.models import ApiToken
from constellation.server.tracking.models import CheckIn
from tests.server.databank_factories import ACME_LEARNING, add_secret_learning
from tests.server.factories import World
from tests.server.quarterly_factories import make_review_rows, reviews_state
from tests.server.sharing_factories import sharing_ids, sharing_state
from tests.server.strategy_factories import strategy_ids, strategy_state

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Acme's words that must never reach someone outside Acme.
SECRETS = (
    "Acme Analytics",
    "New teams get to value in their first week",
    "Customers stay with us",
    "Raise week-1 activation",
    "Monthly logo churn",
    "Win self-serve",
    ACME_LEARNING,
    "acme_activation_rate",
)
# A form body that would be accepted by any web form here, so refusals come from permissions.
FORM = {
    "value": "50",
    "confidence": "5",
    "note": "isolation test",
    "title": "Changed by the isolation test",
    "focus": "business",
    "commitment": "aspirational",
    "state": "launched",
    "version": "1",
    "name": "isolation test",
    "org": "acme",
    "username": "nobody",
    "password": "nothing",
}
# Pages and lists only owners and admins open: a viewer's GET is refused with the reason.
ADMIN_ONLY = {
    "o/{org}/people/",
    "o/{org}/people/{username}/deactivate/",
    "api/v1/orgs/{org}/invitations",
    "o/{org}/integrations/",
    "o/{org}/integrations/{webhook_id}/",
    "api/v1/orgs/{org}/webhooks",
    "api/v1/orgs/{org}/webhooks/{webhook_id}",
    "api/v1/orgs/{org}/webhooks/{webhook_id}/deliveries",
    "api/v1/orgs/{org}/channels",
    "api/v1/orgs/{org}/channels/{channel_id}",
    "api/v1/orgs/{org}/channels/{channel_id}/deliveries",
}
# Forms that only create or change something: a viewer opening one gets a 403 page saying why.
WRITE_FORMS = {
    "o/{org}/draft/new-objective/",
    "o/{org}/objectives/{slug}/draft/key-results/new/",
    "o/{org}/objectives/{slug}/draft/key-results/{kr}/edit/",
    "o/{org}/import/",
}
# Reads that answer only with a query parameter (else a 422 naming it): the walk sends one.
QUERIES: dict[str, dict[str, str]] = {
    "api/v1/orgs/{org}/map/what-if": {"lever": "self-serve"},
    **{
        f"{prefix}/exports/{name}": {"period": "2026-Q4"}
        for prefix in ("api/v1/orgs/{org}", "o/{org}")
        for name in ("okrs.xlsx", "okrs.csv", "check-ins.csv")
    },
}
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass
class Address:
    """One concrete URL with the methods to try on it."""

    path: str
    route: str
    methods: list[str] = field(default_factory=list)
    bodies: dict[str, Any] = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def in_acme(self) -> bool:
        """Whether the URL names an organisation (always Acme here)."""
        return "<org>" in self.route or "<str:org>" in self.route


def _walk(patterns: list, prefix: tuple = ()) -> Iterator[tuple[tuple, URLPattern]]:
    for entry in patterns:
        pieces = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, pieces)
        else:
            yield pieces, entry


def _fill_regex(regex: str, value: Any) -> str:
    """A regex pattern with each named group replaced by a value (nested groups allowed)."""
    text = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    out: list[str] = []
    index = 0
    while index < len(text):
        if not text.startswith("(?P<", index):
            out.append(text[index])
            index += 1
            continue
        name = text[index + 4 : text.index(">", index)]
        depth, end = 0, index
        while True:
            if text[end] == "\\":
                end += 2
                continue
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        out.append(str(value(name, None)))
        index = end + 1
    return "".join(out)


def _fill(piece: Any, value: Any) -> str:
    if isinstance(piece, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: str(value(m["name"], m["converter"])), str(piece))
    if isinstance(piece, RegexPattern):
        return _fill_regex(piece.regex.pattern, value)
    raise AssertionError(f"unknown kind of URL pattern: {piece!r}")


def _normalise(route: str) -> str:
    """`orgs/<org>` and `/orgs/{org}` and `orgs/<str:org>` all become `orgs/{org}`."""
    route = route.lstrip("/").replace("^", "")
    route = _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", route)
    return re.sub(r"\{(\w+)(?::\w+)?\}", r"{\1}", route)


def _example(schema: dict, components: dict) -> Any:
    """A minimal value that satisfies a JSON schema from the OpenAPI document."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(options[0], components) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        props = schema.get("properties", {})
        return {name: _example(props[name], components) for name in required if name in props}
    if kind == "array":
        return []
    if kind in {"integer", "number"}:
        low, high = schema.get("minimum", 1), schema.get("maximum", 5)
        return min(max(1, low), high)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-11-01"
    return "x"


def _api_operations() -> dict[str, dict[str, Any]]:
    """Normalised API route → {METHOD: JSON body or None}, from the OpenAPI document."""
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    operations: dict[str, dict[str, Any]] = {}
    for path, methods in document["paths"].items():
        entry = operations.setdefault(_normalise(path), {})
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            entry[method.upper()] = _example(schema, components) if schema else None
    return operations


def addresses(value: Any) -> list[Address]:
    """Every URL pattern of the project as a concrete address, with its methods."""
    operations = _api_operations()
    found: dict[str, Address] = {}
    for pieces, pattern in _walk(get_resolver().url_patterns):
        path = "/" + "".join(_fill(piece, value) for piece in pieces)
        route = "".join(str(piece) for piece in pieces)
        match = resolve(path)
        assert match.func == pattern.callback or _normalise(match.route) == _normalise(route), (
            f"{route} filled as {path} resolves elsewhere: give its parameters a value"
        )
        address = found.setdefault(path, Address(path=path, route=route))
        if path.startswith("/api/") and _normalise(route) in operations:
            address.bodies.update(operations[_normalise(route)])
            address.methods = list(address.bodies)
        elif not address.methods and path.startswith("/api/"):
            # Outside the OpenAPI document (the docs, a moved address): every method.
            address.methods = ["GET", *WRITES]
        elif not address.methods:
            address.methods = ["GET", "POST"]
    return list(found.values())


def add_sources(world: World) -> None:
    """Data sources on Acme's key result and KPI, so their addresses answer with a source."""
    for target in ({"key_result": world.key_result}, {"kpi": world.kpi}):
        DataSource.objects.create(
            organization=world.org,
            kind="prometheus",
            url="http://127.0.0.1:9",
            query="sum(acme_activation_rate)",
            header_name="Authorization",
            sealed_header_value=seal("Bearer acme-sealed"),
            next_run_at=timezone.now() + timedelta(days=1),
            created_by=world.member,
            **target,
        )


def _initiative_with_a_link(world: World) -> Initiative:
    """Acme's initiative, with a link to the work, for the initiative addresses."""
    initiative, _ = Initiative.objects.get_or_create(
        objective=world.objective, slug="guided-setup", title="Guided setup"
    )
    InitiativeLink.objects.get_or_create(
        initiative=initiative,
        url="https://acme.atlassian.net/browse/GROW-7",
        defaults={"kind": "jira", "label": "GROW-7"},
    )
    return initiative


def parameter_values(world: World) -> Any:
    """Values for URL parameters, all naming Acme's rows."""
    victim_token, _ = do_create_token(world.member, world.org, "member's own")
    # The viewer's own: notifications are personal, so a viewer may open and mark them.
    notification = Notification.objects.create(
        organization=world.org, recipient=world.viewer, title="For the viewer", url="/o/acme/"
    )
    invitation = Invitation.objects.create(
        organization=world.org,
        email="invited@example.com",
        token_hash="0" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    by_name: dict[str, Any] = {
        "org": "acme",
        "team": world.team.slug,
        "slug": world.objective.slug,
        "objective": world.objective.slug,
        "kr": world.key_result.slug,
        "kpi": world.kpi.slug,
        "key_result": world.key_result.slug,
        "target": "retention",
        "token_id": victim_token.pk,
        "initiative": _initiative_with_a_link(world).pk,
        "notification_id": notification.pk,
        "check_in": CheckIn.objects.create(
            key_result=world.key_result,
            value=40,
            checked_on=world.period.start,
            author=world.member,
        ).pk,
        "webhook_id": Webhook.objects.create(
            organization=world.org, url="https://example.com/acme-hooks", sealed_secret="x"
        ).pk,
        "channel_id": Webhook.objects.create(
            organization=world.org, kind="slack", url="hooks.slack.com/…acme", sealed_url="x"
        ).pk,
        "username": world.member.username,
        "invitation": invitation.pk,
        "invitation_id": invitation.pk,
        "app_label": "okrs",
        "url": "no-such-page/",  # the admin's catch-all
        "object_id": world.objective.pk,
        "content_type_id": ContentType.objects.get_for_model(Objective).pk,
    }
    by_name.update(sharing_ids(world))
    by_name.update(strategy_ids(world))
    make_review_rows(world)
    add_secret_learning(world)
    add_sources(world)

    def value(name: str, converter: str | None) -> Any:
        if name in by_name:
            return by_name[name]
        return world.objective.pk if converter == "int" else world.objective.slug

    return value


def acme_state(world: World, *, personal: bool = True) -> dict[str, Any]:
    """Everything of Acme's a request could change (personal tokens optionally left out)."""
    org = world.org
    audit = AuditEvent.objects.filter(organization=org)
    state: dict[str, Any] = {
        "objectives": list(
            Objective.objects.filter(organization=org)
            .order_by("pk")
            .values_list("slug", "title", "focus", "state", "commitment", "version")
        ),
        "key_results": list(
            KeyResult.objects.filter(objective__organization=org)
            .order_by("pk")
            .values_list("slug", "current", "done", "confidence", "version")
        ),
        "check_ins": CheckIn.objects.filter(key_result__objective__organization=org).count(),
        "alignments": list(
            Alignment.objects.filter(source__organization=org).values_list("source", "target")
        ),
        "teams": list(
            Team.objects.filter(organization=org)
            .order_by("pk")
            .values_list("slug", "name", "parent", "lead", "phase", "archived_at")
        ),
        "team_members": list(
            Membership.teams.through.objects.filter(team__organization=org)
            .order_by("pk")
            .values_list("membership", "team")
        ),
        "initiatives": list(
            Initiative.objects.filter(objective__organization=org)
            .order_by("pk")
            .values_list("slug", "title", "moves", "status", "owner", "version")
        ),
        "initiative_links": list(
            InitiativeLink.objects.filter(initiative__objective__organization=org)
            .order_by("pk")
            .values_list("initiative", "url")
        ),
        "memberships": list(
            Membership.objects.filter(organization=org)
            .order_by("pk")
            .values_list("role", "deactivated_at")
        ),
        "invitations": list(
            Invitation.objects.filter(organization=org)
            .order_by("pk")
            .values_list("pk", "token_hash", "revoked_at", "accepted_at")
        ),
        "levers": Lever.objects.filter(organization=org).count(),
        "kpis": list(
            Kpi.objects.filter(organization=org).order_by("pk").values_list("current", "version")
        ),
        "kpi_readings": KpiReading.objects.filter(kpi__organization=org).count(),
        "cadence": list(
            Organization.objects.filter(pk=org.pk).values_list(
                "checkin_weekday", "checkin_time", "time_zone"
            )
        ),
        "audit": audit.exclude(action__in=["create_token", "revoke_token"]).count(),
        "webhooks": list(
            Webhook.objects.filter(organization=org)
            .order_by("pk")
            .values_list("url", "events", "enabled", "version", "sealed_secret")
        ),
        "deliveries": Delivery.objects.filter(webhook__organization=org).count(),
        "sharing": sharing_state(world),
        "strategy": strategy_state(world),
        "reviews": reviews_state(world),
        "sources": list(
            DataSource.objects.filter(organization=org)
            .order_by("pk")
            .values_list("pk", "version", "query", "sealed_header_value", "next_run_at")
        ),
    }
    if personal:
        state["tokens"] = list(
            ApiToken.objects.filter(organization=org).order_by("pk").values_list("pk", "revoked")
        )
        state["token_audit"] = audit.count()
    return state


class Caller:
    """Sends requests as one person (by session or by token), signed in again each time."""

    def __init__(self, user: Any = None, token: str | None = None) -> None:
        self.user = user
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client()

    def send(self, address: Address, method: str) -> Any:
        path = address.path
        query = QUERIES.get(_normalise(address.route))
        if method == "GET" and query:
            path = f"{path}?{urlencode(query)}"
        response = self._send(path, method, address.is_api, address.bodies.get(method))
        if response.status_code == 308:
            # A moved address answers 308 to its new one, which a client then sends the same
            # request to: what counts is the answer there.
            target = response["Location"]
            body = address.bodies.get(method)
            if address.is_api:
                body = _api_operations().get(_normalise(resolve(target).route), {}).get(method)
            response = self._send(target, method, address.is_api, body)
        return response

    def _send(self, path: str, method: str, is_api: bool, body: Any) -> Any:
        client = Client()
        if self.user is not None and not self.headers:
            client.force_login(self.user)  # again each time: some URLs sign out
        call = getattr(client, method.lower())
        if method == "GET":
            return call(path, **self.headers)
        if is_api:
            payload = json.dumps(body) if body is not None else ""
            return call(path, payload, content_type="application/json", **self.headers)
        return call(path, FORM, **self.headers)


def leaked(response: Any) -> list[str]:
    """Acme's words in a response body."""
    content = getattr(response, "content", b"").decode(errors="replace")
    return [secret for secret in SECRETS if secret in content]


def test_the_walk_covers_the_web_app_the_admin_and_the_api(world: World) -> None:
    found = addresses(parameter_values(world))
    paths = {address.path for address in found}
    assert "/o/acme/objectives/activation/key-results/week1-activation/check-ins/" in paths
    assert "/o/acme/objectives/activation/key-results/week1-activation/source/" in paths
    assert "/o/acme/kpis/logo-churn/source/" in paths
    assert "/o/acme/tokens/" in paths
    assert {"/o/acme/report/2026-Q4/report.pdf", "/o/acme/teams/growth/report/2026-Q4/"} <= paths
    bank = {"/o/acme/data-bank/", "/o/acme/draft/data-bank/", "/api/v1/orgs/acme/data-bank"}
    assert bank <= paths
    assert any(path.startswith("/admin/okrs/objective/") for path in paths)
    api_paths = [a for a in found if a.is_api and a.in_acme]
    assert len(api_paths) >= 5
    assert any("PATCH" in a.methods or "POST" in a.methods for a in api_paths)


@pytest.mark.parametrize("by_token", [False, True], ids=["session", "token"])
def test_an_outsider_gets_404_under_acme_and_sees_none_of_its_data(
    world: World, by_token: bool
) -> None:
    found = addresses(parameter_values(world))
    _, token = do_create_token(world.outsider, world.other_org, "outsider's own")
    before = acme_state(world)
    caller = Caller(world.outsider)
    token_caller = Caller(world.outsider, token=token)
    problems: list[str] = []
    for address in found:
        if by_token and not address.is_api:
            continue
        who = token_caller if by_token and address.is_api else caller
        statuses = {}
        for method in address.methods:
            response = who.send(address, method)
            statuses[method] = response.status_code
            if leaked(response):
                problems.append(f"{method} {address.path} shows {leaked(response)}")
            if address.in_acme and response.status_code not in {404, 405}:
                problems.append(f"{method} {address.path} → {response.status_code}, not 404")
            if response.status_code >= 500:
                problems.append(f"{method} {address.path} → {response.status_code}")
        if address.in_acme and 404 not in statuses.values():
            problems.append(f"{address.path} never answered 404: {statuses}")
    assert problems == []
    assert acme_state(world) == before


@pytest.mark.parametrize("by_token", [False, True], ids=["session", "token"])
def test_a_viewer_reads_everything_and_changes_nothing(world: World, by_token: bool) -> None:
    found = addresses(parameter_values(world))
    _, token = do_create_token(world.viewer, world.org, "viewer's own")
    before = acme_state(world, personal=False)
    caller = Caller(world.viewer)
    token_caller = Caller(world.viewer, token=token)
    problems: list[str] = []
    refused = 0
    for address in found:
        if not address.in_acme or (by_token and not address.is_api):
            continue
        who = token_caller if by_token and address.is_api else caller
        for method in address.methods:
            status = who.send(address, method).status_code
            personal = "token" in address.route or "notification" in address.route
            # 302: the web forms' addresses lead back to their page when opened.
            refusable = _normalise(address.route) in ADMIN_ONLY | WRITE_FORMS
            if method == "GET" and status not in {200, 302, 405} | ({403} if refusable else set()):
                problems.append(f"GET {address.path} → {status} for a viewer")
            elif method in WRITES and not personal and status not in {403, 405}:
                problems.append(f"{method} {address.path} → {status}, not 403")
            refused += status == 403
            if acme_state(world, personal=False) != before:
                problems.append(f"{method} {address.path} changed Acme's data")
                before = acme_state(world, personal=False)
    assert problems == []
    assert refused >= 3


def test_someone_signed_out_is_asked_to_sign_in_and_sees_nothing(world: World) -> None:
    found = addresses(parameter_values(world))
    before = acme_state(world)
    caller = Caller()
    problems: list[str] = []
    for address in found:
        for method in address.methods:
            response = caller.send(address, method)
            if leaked(response):
                problems.append(f"{method} {address.path} shows {leaked(response)}")
            if address.in_acme and response.status_code not in {302, 401, 404, 405}:
                problems.append(f"{method} {address.path} → {response.status_code}")
    assert problems == []
    assert acme_state(world) == before
