"""Template helpers of the site's chrome: the navigation's current page, people and teams.

People are named by their full name everywhere (the username only where it is an identifier);
each gets an avatar of initials on a colour drawn from the name, each team a colour drawn
from its slug, so the same person or team looks the same on every page.
"""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Pages of each navigation entry: a page marks its entry as the current place
# (`aria-current="true"`), the entry's own page marks it `aria-current="page"`.
SECTIONS: dict[str, tuple[str, ...]] = {
    "personal-home": ("personal-home",),
    "dashboard": (
        "dashboard",
        "team-rows",
        "objective",
        "objective-history",
        "objective-edit",
        "check-in",
        "alignment-",
        "launch",
        "dependency",
    ),
    "map": ("map",),
    "my-week": ("my-week",),
    "planning": (
        "planning",
        "plan-ahead",
        "quarterly-review",
        "team-report",
        "org-report",
        "team-draft",
        "start-from-last-period",
        "objective-new",
        "objective-draft",
        "coach-",
        "key-result-",
        "initiative-",
        "review-",
        "draft-data-bank",
    ),
    "strategy": ("strategy",),
    "teams": ("teams", "team", "team-settings", "team-archive", "team-members", "team-readiness"),
    "kpis": ("kpi",),
    "data-bank": ("data-bank",),
    "notifications": ("notification",),
    "people": ("people", "invitation"),
    "tokens": ("token",),
    "integrations": ("integrations", "webhook"),
    "reminder-settings": ("reminder-settings",),
    "profile": ("profile", "confirm-email"),
}


def section_of(url_name: str | None) -> str | None:
    """The navigation entry a page belongs to (`objective-history` → `dashboard`), if any."""
    if not url_name:
        return None
    if url_name in SECTIONS:
        return url_name
    # Exact names first, so `team` is Teams' and `teams` is not taken by a prefix.
    for section, names in SECTIONS.items():
        if url_name in names:
            return section
    for section, names in SECTIONS.items():
        if any(name.endswith("-") and url_name.startswith(name) for name in names):
            return section
    for section, names in SECTIONS.items():
        if any(url_name.startswith(f"{name}-") for name in (section, *names)):
            return section
    return None


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, entry: str) -> SafeString:
    """` aria-current="page"` on the entry's own page, `="true"` on a page of its section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    url_name = getattr(match, "url_name", None)
    if url_name == entry:
        return mark_safe(' aria-current="page"')
    if url_name and section_of(url_name) == entry:
        return mark_safe(' aria-current="true"')
    return mark_safe("")


@register.filter
def full_name(person: Any) -> str:
    """A person's full name, else their username; "someone" when there is nobody."""
    if person is None or person == "":
        return "someone"
    if isinstance(person, str):
        return person
    name = ""
    if hasattr(person, "get_full_name"):
        name = person.get_full_name()
    return name.strip() or str(getattr(person, "username", "") or "someone")


@register.filter
def initials(person: Any) -> str:
    """One or two capitals for an avatar: `Amara Okafor` → `AO`, `amara` → `A`."""
    words = full_name(person).replace(".", " ").replace("_", " ").split()
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


# Each of these carries white text at a contrast of at least 4.5:1 (WCAG AA).
PALETTE_SIZE = 8


def colour_index(key: str) -> int:
    """A stable number in 0..7 for a name or slug: the same on every page and every run."""
    return zlib.crc32(key.encode("utf-8")) % PALETTE_SIZE


@register.simple_tag
def avatar(person: Any, size: str = "") -> SafeString:
    """A round avatar of initials, its colour drawn from the name; decorative (the name is
    always written beside it)."""
    name = full_name(person)
    key = str(getattr(person, "username", "") or name)
    return format_html(
        '<span class="avatar avatar-c{}{}" aria-hidden="true">{}</span>',
        colour_index(key),
        f" avatar-{size}" if size else "",
        initials(person),
    )


@register.filter
def team_colour(team: Any) -> str:
    """The class of a team's colour (`team-c3`), drawn from its slug."""
    slug = str(getattr(team, "slug", team) or "")
    return f"team-c{colour_index(slug)}"


ICONS = {
    # 24×24 outlines drawn with `currentColor`, so they take the text's colour.
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "home": '<path d="M3 11l9-7 9 7"/><path d="M5 10v10h14V10"/>',
    "chart": '<path d="M4 20V4"/><path d="M4 20h16"/><path d="M8 16v-5M12 16V8M16 16v-8"/>',
    # Three stars joined: the constellation map.
    "map": '<circle cx="5" cy="17" r="2"/><circle cx="12" cy="6" r="2"/>'
    '<circle cx="19" cy="15" r="2"/><path d="M6.2 15.3l4.7-7.6M13.5 7.4l4.3 6"/>',
    "calendar": '<rect x="3" y="5" width="18" height="16" rx="2"/>'
    '<path d="M3 10h18M8 3v4M16 3v4"/>',
    "plan": '<path d="M9 6h11M9 12h11M9 18h11"/><path d="M4 6h1M4 12h1M4 18h1"/>',
    "compass": '<circle cx="12" cy="12" r="9"/><path d="M15.5 8.5l-2 5-5 2 2-5z"/>',
    "people": '<circle cx="9" cy="8" r="3"/><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6"/>'
    '<path d="M16 5a3 3 0 010 6M21 20c0-2.6-1.7-4.8-4-5.6"/>',
    "gauge": '<path d="M4 17a8 8 0 1116 0"/><path d="M12 17l4-5"/>',
    "book": '<path d="M4 5a2 2 0 012-2h13v16H6a2 2 0 00-2 2z"/><path d="M4 21V5"/>',
    "bell": '<path d="M6 16V11a6 6 0 0112 0v5l2 2H4z"/><path d="M10 20a2 2 0 004 0"/>',
    "back": '<path d="M15 18l-6-6 6-6"/>',
}


@register.simple_tag
def icon(name: str) -> SafeString:
    """A small inline SVG icon, hidden from screen readers (its label is the text beside it)."""
    paths = ICONS.get(name, "")
    return mark_safe(
        '<svg class="icon" viewBox="0 0 24 24" width="18" height="18" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f'aria-hidden="true" focusable="false">{paths}</svg>'
    )
