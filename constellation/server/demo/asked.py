"""What waits on the demo's people when they sign in: a draft sent to the leader for review,
and support asked of another team, made through the product's own actions (so the
notifications, the audit and the statuses are what a real request leaves)."""

from __future__ import annotations

from django.contrib.auth.models import User

from constellation.server.okrs.drafting import (
    KeyResultInput,
    ObjectiveInput,
    do_create_key_result,
    do_create_objective,
)
from constellation.server.okrs.models import KeyResult, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.sharing.actions import do_ask_dependency, do_send_for_review
from constellation.server.strategy.models import Lever

DRAFT_TITLE = "Teams bring their colleagues in during their first month"
DRAFT_KEY_RESULTS = (
    ("Raise the share of new teams with 3+ active members from 28% to 45%", 28.0, 45.0, "%"),
    ("Cut the median days to a second active member from 12 to 5", 12.0, 5.0, "days"),
)
REVIEW_MESSAGE = (
    "Our bet for the rest of the quarter: teams that bring colleagues in stay. "
    "Does it fit the self-serve lever, and do we miss anything Platform needs?"
)
NEED = "Invitations that survive single sign-on: an invite link that works with SSO"


def ask_what_waits(
    org: Organization, period: Period, teams: dict[str, Team], people: dict[str, User]
) -> None:
    """Growth (Bruno) sends a new draft to Amara for review and asks Platform for support."""
    members = {
        m.user.username: m
        for m in Membership.objects.filter(organization=org).select_related("user")
    }
    bruno = people["bruno"]
    access = Access(org, members["bruno"])
    growth = teams["growth"]
    lever = Lever.objects.get(organization=org, slug="self-serve")
    draft = do_create_objective(
        access,
        ObjectiveInput(
            title=DRAFT_TITLE,
            team=growth,
            period=period,
            owner=bruno,
            focus="customer",
            levers=[lever],
        ),
        bruno,
    )
    for title, baseline, target, unit in DRAFT_KEY_RESULTS:
        do_create_key_result(
            access,
            draft,
            KeyResultInput(title=title, baseline=baseline, target=target, unit=unit, owner=bruno),
            bruno,
        )
    do_send_for_review(
        access,
        growth,
        period,
        objectives=[draft],
        leaders=[members["amara"]],
        stakeholders=[],
        message=REVIEW_MESSAGE,
        actor=bruno,
    )
    launched = (
        KeyResult.objects.filter(objective__team=growth, objective__period=period)
        .exclude(objective=draft)
        .order_by("objective__position", "position")
        .first()
    )
    if launched is not None:
        do_ask_dependency(
            access, launched, teams["platform"], need=NEED, needed_by=None, actor=bruno
        )
