"""In chromium, on an empty database: the setup link makes the organisation and its owner,
the owner makes teams and invites two people by email, they join from the emailed links,
a member drafts, a viewer cannot edit, and a deactivated person can no longer sign in."""

from __future__ import annotations

import email
import re
from pathlib import Path
from typing import Any

import pytest

from constellation.cli.server_commands import announce_setup_link
from constellation.server.okrs.models import Objective

ORG, ORG_NAME = "acme", "Acme Analytics"
OWNER_PASSWORD = "owner-passphrase-2026"
MEMBER_PASSWORD = "member-passphrase-2026"
VIEWER_PASSWORD = "viewer-passphrase-2026"
MEMBER_EMAIL, VIEWER_EMAIL = "mia@acme.example", "vic@acme.example"
OBJECTIVE = "Customers find answers without asking support"
# The file backend ends every message it writes with a line of 79 dashes.
MESSAGE_SEPARATOR = "\n" + "-" * 79 + "\n"
INVITATION_LINK = re.compile(r"(https?://\S+/invitations/\S+/)")
# Builds and submits a form in the page: the token is the one htmx sends (body's hx-headers).
SUBMIT_BY_HAND = """([action, fields]) => {
    const form = Object.assign(document.createElement("form"), {method: "post", action});
    const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    for (const [name, value] of Object.entries({...fields, csrfmiddlewaretoken: token})) {
        form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value}));
    }
    document.body.append(form);
    form.submit();
}"""


def setup_link(capsys: pytest.CaptureFixture[str]) -> str:
    """The one-time link as `okr serve` prints it on a database with no account."""
    capsys.readouterr()
    announce_setup_link()
    printed = capsys.readouterr().out
    found = re.search(r"Open (\S+) to create your organisation", printed)
    assert found, f"no setup link in {printed!r}"
    return found[1]


def emails_in(folder: Path) -> list[email.message.Message]:
    """Every message the file email backend wrote into `folder`."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_text().split(MESSAGE_SEPARATOR):
            if raw.strip():
                messages.append(email.message_from_string(raw.lstrip()))
    return messages


def invitation_link(folder: Path, address: str) -> str:
    """The link of the invitation emailed to `address`; exactly one such email was sent."""
    sent = [message for message in emails_in(folder) if message["To"] == address]
    assert len(sent) == 1, f"{len(sent)} emails to {address}"
    payload = sent[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    found = INVITATION_LINK.search(body)
    assert found, f"no invitation link in {body!r}"
    return found[1]


def create_the_organisation(page: Any, link: str) -> None:
    """Fill the setup form; the new owner lands on the organisation's dashboard."""
    from playwright.sync_api import expect

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Constellation")
    page.get_by_label("Organisation name").fill(ORG_NAME)
    page.get_by_label("Organisation slug").fill(ORG)
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Email").fill("olga@acme.example")
    page.get_by_label("First name").fill("Olga")
    page.get_by_label("Last name").fill("Owner")
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Create the organisation").click()
    page.wait_for_url(f"**/o/{ORG}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ORG_NAME)


def create_team(page: Any, name: str) -> None:
    """The owner creates a top-level team from the Teams page."""
    from playwright.sync_api import expect

    page.goto(f"/o/{ORG}/teams/")
    form = page.locator("#new-team")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Create team").click()
    expect(page.locator(".messages")).to_contain_text(f"Team {name} created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def invite(page: Any, address: str, role: str, team: str | None) -> None:
    """The owner invites one address with a role (and a team) from the People page."""
    from playwright.sync_api import expect

    page.goto(f"/o/{ORG}/people/")
    page.get_by_label("Email addresses").fill(address)
    page.get_by_label("Role", exact=True).select_option(role)
    if team is not None:
        page.get_by_label(team).check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator(".messages")).to_have_text(f"Invitation sent to {address}.")
    pending = page.get_by_role("table").filter(has_text="Expires")
    expect(pending.get_by_role("row", name=address)).to_be_visible()


def join(browser: Any, base_url: str, link: str, username: str, name: str, password: str) -> Any:
    """A newcomer opens their invitation in a browser of their own and joins; their page."""
    from playwright.sync_api import expect

    page = browser.new_context(base_url=base_url).new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {ORG_NAME}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=f"Join {ORG_NAME}").click()
    expect(page.locator(".messages")).to_contain_text(f"Welcome to {ORG_NAME}.")
    return page


def draft_an_objective(page: Any, team: str, team_name: str, owner: str) -> None:
    """The member drafts an objective, owned by `owner`, from their team's drafting page."""
    from playwright.sync_api import expect

    page.goto(f"/o/{ORG}/teams/{team}/draft/")
    page.get_by_role("link", name="New objective").click()
    page.wait_for_url("**/draft/new-objective/**")
    page.get_by_label("Title").fill(OBJECTIVE)
    # The team came with the link; the owner is chosen, so deactivating them lists it.
    chosen_team = page.get_by_label("Team", exact=True).locator("option:checked")
    expect(chosen_team).to_have_text(team_name)
    page.get_by_label("Owner").select_option(label=owner)
    page.get_by_role("button", name="Create the objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draft: {OBJECTIVE}")
    page.goto(f"/o/{ORG}/teams/{team}/draft/")
    expect(page.get_by_role("row", name=OBJECTIVE)).to_contain_text("draft")


def log_in(page: Any, username: str, password: str) -> None:
    """Submit the login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def post_by_hand(page: Any, action: str, fields: dict[str, str]) -> None:
    """Submit a form the page does not offer, with the session's CSRF token, and wait."""
    with page.expect_navigation():
        page.evaluate(SUBMIT_BY_HAND, [action, fields])


@pytest.mark.django_db(transaction=True)
def test_a_first_organisation_from_the_setup_link_to_a_deactivated_member(
    live_server: Any,
    browser: Any,
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from playwright.sync_api import expect

    # Links in emails and in the setup message point at the live server; emails land in
    # files, as an operator would configure with EMAIL_BACKEND and EMAIL_FILE_PATH (the
    # `settings` fixture overrides pytest-django's in-memory backend).
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    link = setup_link(capsys)
    assert link.startswith(f"{live_server.url}/setup/")
    owner = browser.new_context(base_url=live_server.url).new_page()
    create_the_organisation(owner, link)
    owner.goto(link)
    expect(owner.get_by_role("heading", level=1)).to_have_text("This setup link has been used")

    create_team(owner, "Support")
    create_team(owner, "Platform")
    invite(owner, MEMBER_EMAIL, "member", "Support")
    invite(owner, VIEWER_EMAIL, "viewer", "Platform")

    member = join(
        browser,
        live_server.url,
        invitation_link(tmp_path, MEMBER_EMAIL),
        "mia",
        "Mia Member",
        MEMBER_PASSWORD,
    )
    assert member.url.endswith(f"/o/{ORG}/teams/support/")
    expect(member.get_by_role("heading", level=1)).to_contain_text("Support")
    draft_an_objective(member, "support", "Support", "Mia Member")
    slug = Objective.objects.get(title=OBJECTIVE).slug

    viewer = join(
        browser,
        live_server.url,
        invitation_link(tmp_path, VIEWER_EMAIL),
        "vic",
        "Vic Viewer",
        VIEWER_PASSWORD,
    )
    assert viewer.url.endswith(f"/o/{ORG}/teams/platform/")
    expect(viewer.get_by_role("heading", level=1)).to_contain_text("Platform")
    viewer.goto(f"/o/{ORG}/objectives/{slug}/")
    expect(viewer.get_by_role("heading", level=1)).to_contain_text(OBJECTIVE)
    expect(viewer.get_by_role("heading", name="Edit the objective")).to_have_count(0)
    # Even a hand-made form posted to the editor is refused, with the page that says why.
    post_by_hand(viewer, f"/o/{ORG}/objectives/{slug}/draft/", {"title": "Renamed"})
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Nothing was changed")
    expect(viewer.get_by_role("alert")).to_contain_text("your role here is viewer")
    assert Objective.objects.get(slug=slug).title == OBJECTIVE

    owner.goto(f"/o/{ORG}/people/")
    owner.get_by_role("link", name="Deactivate mia").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Deactivate Mia Member?")
    expect(owner.locator(".owned-objectives")).to_contain_text(OBJECTIVE)
    owner.get_by_role("button", name="Deactivate mia").click()
    expect(owner.locator(".messages")).to_have_text("mia is deactivated; their history stays.")

    member.goto(f"/o/{ORG}/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Log in")
    log_in(member, "mia", MEMBER_PASSWORD)
    expect(member.get_by_role("alert")).to_contain_text("Please enter a correct username")
    expect(member.get_by_role("heading", level=1)).to_have_text("Log in")
