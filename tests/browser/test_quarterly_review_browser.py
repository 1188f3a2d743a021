"""In chromium: a team runs its quarterly review through to a carried-over draft."""

from __future__ import annotations

from typing import Any

import pytest

from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)
from tests.browser.people import log_in
from tests.server.factories import make_world
from tests.server.sharing_factories import join


@pytest.mark.django_db(transaction=True)
def test_a_quarterly_review_ends_with_a_carried_over_draft_linked_to_its_history(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    join(world, world.member, world.team)  # a team's own people review its quarter
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    initiative.moves.add(world.key_result)
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/o/acme/teams/growth/?period=2026-Q4")
    page.get_by_role("link", name="Quarterly review of 2026-Q4").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quarterly review of Growth")
    body = page.locator("#quarterly-review")
    card = page.locator("#review-activation")
    expect(card.locator(".computed-grade")).to_have_text("0.5")

    # Changing the grade without a reason is refused next to the field, input kept.
    page.get_by_label("Grade (0.0 to 1.0)").fill("0.8")
    page.get_by_label("Decision", exact=True).select_option("carry_over")
    page.get_by_role("button", name="Save the review of this objective").click()
    expect(card.locator(".field-override_reason .errorlist")).to_contain_text("say why")
    expect(page.get_by_label("Grade (0.0 to 1.0)")).to_have_value("0.8")
    page.get_by_label("Why this grade?").fill("Activation jumped once the wizard shipped")
    page.get_by_role("button", name="Save the review of this objective").click()
    expect(card.get_by_role("status")).to_contain_text("Review of “New teams get")
    expect(card.locator(".decision")).to_have_text("carry over")

    page.get_by_label("What did we learn?").fill("Setup is the bottleneck")
    page.get_by_label("What surprised us?").fill("Reminder emails did nothing")
    page.get_by_label("What would we do differently?").fill("Ship the wizard first")
    page.get_by_role("button", name="Save the reflection").click()
    expect(page.locator("#reflection").get_by_role("status")).to_have_text("Reflection saved.")

    page.get_by_label("What did you learn?").fill("A guided setup beats emails")
    page.get_by_label("Tags").fill("onboarding, activation")
    page.get_by_label("About the key result").select_option(label=world.key_result.title)
    page.get_by_label("About the initiative").select_option(label="Guided setup wizard")
    page.get_by_role("button", name="Record the learning").click()
    expect(page.locator("ul.learnings")).to_contain_text("A guided setup beats emails")

    page.get_by_label("Initiative", exact=True).select_option(label="Guided setup wizard")
    page.get_by_label("Effect on the key result").select_option(label=world.key_result.title)
    page.get_by_label("Expected effect").fill("Activation up 16 points")
    page.get_by_label("Observed effect").fill("Activation up 7 points")
    page.get_by_label("Outcome", exact=True).select_option("partly")
    page.get_by_role("button", name="Record the result").click()
    expect(page.locator("table.results")).to_contain_text("Activation up 7 points")

    page.get_by_label("I have read what finishing will do").check()
    page.get_by_role("button", name="Finish the review").click()
    expect(body.get_by_role("status").first).to_contain_text("carried into 2027-Q1 as drafts")
    expect(page.locator("#finish")).to_contain_text("This review is finished.")

    copy = Objective.objects.get(carried_from=world.objective)
    assert (copy.period.key, copy.state) == ("2027-Q1", "draft")
    assert KeyResult.objects.filter(objective=copy).count() == 2
    assert Objective.objects.get(pk=world.objective.pk).state == "closed"
    review = ObjectiveReview.objects.get(objective=world.objective)
    assert (review.grade_override, review.decision) == (0.8, "carry_over")
    assert TeamReflection.objects.get().learned == "Setup is the bottleneck"
    assert Learning.objects.get().initiative == initiative
    assert InitiativeResult.objects.get().outcome == "partly"

    # The draft in the next period links back to the objective it came from.
    card.locator("dl").get_by_role("link", name=copy.title).click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/objectives/{copy.slug}/")
    expect(page.locator("#objective-summary")).to_contain_text("Carried from")
    page.locator("#objective-summary dl").get_by_role("link", name=world.objective.title).click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/objectives/activation/")


@pytest.mark.django_db(transaction=True)
def test_saving_one_card_keeps_the_others_unsaved_input_and_the_reflection(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    from tests.server.factories import make_objective

    world = make_world()
    join(world, world.member, world.team)
    second = make_objective(
        world.org, world.team, world.period, "docs", "Teams find answers in the docs"
    )
    Objective.objects.filter(pk__in=[world.objective.pk, second.pk]).update(state="launched")
    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/teams/growth/quarterly-review/{world.period.key}/")
    first, other = page.locator("#review-activation"), page.locator("#review-docs")
    # Typed, not saved: the other card's decision and the reflection.
    other.get_by_label("Decision", exact=True).select_option("drop")
    page.get_by_label("What did we learn?").fill("Docs answer what setup cannot")
    first.get_by_label("Decision", exact=True).select_option("carry_over")
    first.get_by_role("button", name="Save the review of this objective").click()
    expect(first.get_by_role("status")).to_contain_text("saved")
    expect(other.get_by_label("Decision", exact=True)).to_have_value("drop")
    expect(page.get_by_label("What did we learn?")).to_have_value("Docs answer what setup cannot")
    # The finish section says what will happen, with the saved decision.
    expect(page.locator("#finish")).to_contain_text("carried into 2027-Q1 as a draft")
    # Finishing without ticking the confirmation is refused (the browser asks first).
    page.get_by_role("button", name="Finish the review").click()
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"


# Whether leaving the page now would make the browser ask first (the page's beforeunload
# handler cancels the event); a headless browser shows no such dialog itself.
WOULD_ASK = """() => {
  const leaving = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(leaving);
  return leaving.defaultPrevented;
}"""


@pytest.mark.django_db(transaction=True)
def test_leaving_the_review_with_unsaved_input_warns(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    world = make_world()
    join(world, world.member, world.team)
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/teams/growth/quarterly-review/{world.period.key}/")
    page.wait_for_load_state("load")
    assert page.evaluate(WOULD_ASK) is False
    page.get_by_label("What did we learn?").fill("Typed and not saved yet")
    assert page.evaluate(WOULD_ASK) is True
    page.get_by_label("What surprised us?").fill("Nothing")
    page.get_by_label("What would we do differently?").fill("Start sooner")
    page.get_by_role("button", name="Save the reflection").click()
    expect(page.locator("#reflection").get_by_role("status")).to_have_text("Reflection saved.")
    assert page.evaluate(WOULD_ASK) is False


# Send the reflection form again as it was before finishing: what a stale tab or a replayed
# request would do. Answers the status and the page's text.
REPLAY = """async (saved) => {
  const headers = {"X-CSRFToken": saved.body.csrfmiddlewaretoken};
  const body = new URLSearchParams(saved.body);
  const answer = await fetch(saved.action, {method: "POST", body, headers});
  return [answer.status, await answer.text()];
}"""
SAVED_FORM = """(form) => ({action: form.action,
                          body: Object.fromEntries(new FormData(form).entries())})"""


@pytest.mark.django_db(transaction=True)
def test_a_finished_review_is_read_only_until_an_admin_reopens_it_with_a_reason(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    join(world, world.member, world.team)
    world.admin.first_name, world.admin.last_name = "Ada", "Lovelace"
    world.admin.save()
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    url = f"{live_server.url}/o/acme/teams/growth/quarterly-review/{world.period.key}/"
    page = browser.new_context().new_page()
    log_in(page, live_server.url)
    page.goto(url)
    card = page.locator("#review-activation")
    card.get_by_label("Decision", exact=True).select_option("done")
    card.get_by_role("button", name="Save the review of this objective").click()
    expect(card.get_by_role("status")).to_contain_text("saved")
    # Decided, the card folds its form away behind "Change"; it opens without a script.
    expect(card.get_by_label("Decision", exact=True)).to_be_hidden()
    card.get_by_text("Change the grade or decision").click()
    expect(card.get_by_label("Decision", exact=True)).to_have_value("done")
    stale = page.locator("#reflection form").evaluate(SAVED_FORM)

    page.get_by_label("I have read what finishing will do").check()
    page.get_by_role("button", name="Finish the review").click()
    review = page.locator("#quarterly-review")
    expect(page.locator("#finish")).to_contain_text("This review is finished.")
    expect(review.locator("input, select, textarea, button")).to_have_count(0)
    assert Objective.objects.get(pk=world.objective.pk).state == "closed"
    status, text = page.evaluate(REPLAY, stale)
    assert status == 409
    assert "is finished, so it can no longer change" in text
    assert not TeamReflection.objects.exists()
    page.reload()
    expect(review.locator("input, select, textarea, button")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen this review")).to_have_count(0)

    admin = browser.new_context().new_page()
    log_in(admin, live_server.url, "admin")
    admin.goto(url)
    admin.get_by_role("button", name="Reopen this review").click()  # no reason: refused
    expect(admin.locator(".field-reason .errorlist")).to_contain_text("Say why")
    admin.get_by_label("Why reopen it?").fill("The activation figure was corrected")
    admin.get_by_role("button", name="Reopen this review").click()
    expect(admin.locator(".review-reopened")).to_contain_text("Reopened by Ada Lovelace on")
    expect(admin.locator(".review-reopened")).to_contain_text(
        ": The activation figure was corrected"
    )
    expect(admin.get_by_role("button", name="Finish the review")).to_be_visible()

    # Editable again for the team.
    page.reload()
    expect(page.locator(".review-reopened")).to_contain_text("Ada Lovelace")
    page.get_by_label("What did we learn?").fill("Check the figures before finishing")
    page.get_by_role("button", name="Save the reflection").click()
    expect(page.locator("#reflection").get_by_role("status")).to_have_text("Reflection saved.")
    assert TeamReflection.objects.get().learned == "Check the figures before finishing"
