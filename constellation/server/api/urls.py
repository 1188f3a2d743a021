"""The REST API under /api/v1: Bearer tokens (or the web app's session), JSON errors."""

from __future__ import annotations

from ninja.openapi.docs import Swagger

from constellation.server.api import errors
from constellation.server.api.auth import bearer, session
from constellation.server.api.routers import databank as databank_router
from constellation.server.api.routers import drafting as drafting_router
from constellation.server.api.routers import imports as imports_router
from constellation.server.api.routers import initiatives as initiatives_router
from constellation.server.api.routers import kpis, lint, notifications, okrs, orgs, tokens, tracking
from constellation.server.api.routers import map as map_router
from constellation.server.api.routers import people as people_router
from constellation.server.api.routers import quarterly as quarterly_router
from constellation.server.api.routers import reminders as reminders_router
from constellation.server.api.routers import sharing as sharing_router
from constellation.server.api.routers import sources as sources_router
from constellation.server.api.routers import spreadsheets as spreadsheets_router
from constellation.server.api.routers import strategy as strategy_router
from constellation.server.api.routers import teams as teams_router
from constellation.server.api.routers import webhooks as webhooks_router
from constellation.server.api.throttling import ApiRate

DESCRIPTION = """
Constellation's OKRs, check-ins and coach over HTTP.

**Authentication**: `Authorization: Bearer <token>`. Create a token with
`okr token create --org SLUG --user USERNAME` or on the web app's Tokens page; a token works
only for its own organisation (any other answers 404). The web app's own session also works
(writes then need the CSRF token).

**Ids**: objectives, teams, levers and KPIs are named by their slug. A key result's id is
`<objective id>/<key result slug>` (as in coach findings), so its check-ins live at
`/orgs/{org}/key-results/<objective id>/<key result slug>/check-ins`.

**Errors**: always RFC 9457 problem details (`application/problem+json`): `type`
(`about:blank`), `title` (the status's name), `status` and `detail` (what is wrong, for a
person), for every status, unknown addresses (404) and methods an address does not take (405)
included. 401 no or bad token, 403 a viewer tried to write, 404 not found or not yours, 409 a
stale `version` (with `current_version`), 422 bad input: `errors` lists each bad field with
`loc` and a JSON `path` (`$.confidence`), 429 too many requests (wait the `Retry-After`
header's seconds).

**Retries**: send an `Idempotency-Key` header (1 to 255 characters of your choice) with any
POST. The same key and the same request within 24 hours get the first answer again, with
`Idempotent-Replayed: true`, and write nothing; the same key with another request is a 422,
and while the first is still being processed a 409 (retry after `Retry-After`). Keys are per
token (or per signed-in person). An answer of 5xx, 401 or 429 is not kept: that request may be
sent again with its key.

**Deleting and importing**: objectives, key results, check-ins and KPIs are deleted with their
current `version` (query), a launched objective's with a `reason`; `POST /orgs/{org}/imports`
takes an OKR file, a dry run unless `dry_run=false` (admins only).

**Token scopes**: a `read` token may only GET (any other method: 403); a `write` token acts
with its owner's role. An expired or revoked token gets 401; a token never creates a token.
"""

# The Swagger page loads its scripts from ninja's bundled static files (ninja is an
# installed app), so the docs work without network access.
api = errors.ConstellationAPI(
    title="Constellation API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    auth=[bearer, session],
    # One bucket per token, per signed-in person or per address: API_RATE, a 429 past it.
    throttle=[ApiRate()],
    docs=Swagger(settings={"persistAuthorization": True}),
)
errors.install(api)
for router in (
    orgs.router,
    kpis.router,
    okrs.router,
    tracking.router,
    lint.router,
    tokens.router,
    notifications.router,
    sharing_router.router,
):
    api.add_router("", router)
api.add_router("", strategy_router.router)
api.add_router("", reminders_router.router)
api.add_router("", drafting_router.router)
api.add_router("", initiatives_router.router)
api.add_router("", databank_router.router)
api.add_router("", quarterly_router.router)
api.add_router("", sources_router.router)
api.add_router("", spreadsheets_router.router)
api.add_router("", people_router.router)
api.add_router("", teams_router.router)
api.add_router("", map_router.router)
api.add_router("", imports_router.router)
api.add_router("", webhooks_router.router)
