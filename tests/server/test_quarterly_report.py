"""The quarterly review report: a printable page, and the same report as Markdown and PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.okrs.models import Initiative, Objective
from constellation.server.orgs.models import Team
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result, make_objective

TEAM = "/o/acme/teams/growth/report/2026-Q4/"
ORG = "/o/acme/report/2026-Q4/"
REASON = "The wizard shipped late but activation jumped"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _review_everything(world: World) -> None:
    """A reviewed quarter of Growth: grade changed, reflection, learning, initiative result."""
    Objective.objects.filter(pk=world.objective.pk).update(state="closed")
    for day, value in ((date(2026, 10, 5), 36), (date(2026, 10, 26), 39), (date(2026, 11, 9), 41)):
        CheckIn.objects.create(key_result=world.key_result, value=value, checked_on=day)
    ObjectiveReview.objects.create(
        organization=world.org,
        objective=world.objective,
        computed_grade=0.5,
        grade_override=0.8,
        override_reason=REASON,
        decision="carry_over",
        note="Keep the wizard, measure week 2 too",
    )
    TeamReflection.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        learned="Setup is the bottleneck",
        surprised="Admins invite colleagues on day one",
        differently="Instrument the wizard before launch",
    )
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    Learning.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        text="A wizard beats a checklist",
        tags=["onboarding", "ux"],
        initiative=initiative,
    )
    InitiativeResult.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        initiative=initiative,
        initiative_title=initiative.title,
        key_result=world.key_result,
        key_result_title=world.key_result.title,
        expected_effect="activation up",
        expected_value=50,
        observed_effect="activation rose to 41%",
        observed_value=41,
        outcome="partly",
    )


def pdf_text(content: bytes) -> bytes:
    """The PDF's drawing instructions, every compressed stream inflated, for text searches."""
    out = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_the_team_report_shows_grades_key_results_decisions_and_the_review(
    world: World,
) -> None:
    _review_everything(world)
    response = _client(world.member).get(TEAM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quarterly review of Growth · 2026-Q4" in html
    assert "New teams get to value in their first week" in html
    assert '<dd class="computed-grade">0.5</dd>' in html
    assert f"changed from 0.5: {REASON}" in html
    assert "Carry over" in html and "Keep the wizard, measure week 2 too" in html
    assert "Raise week-1 activation from 34% to 50%" in html
    assert "34% → 50%" in html and "41%" in html
    assert "3 days → 1 day" in html
    assert 'class="chart"' in html and "expected pace" in html
    assert "Admins invite colleagues on day one" in html
    assert "A wizard beats a checklist" in html and '<span class="tag">onboarding</span>' in html
    assert "Guided setup wizard" in html and "Partly worked" in html
    assert "activation rose to 41%" in html
    assert 'href="/o/acme/teams/growth/report/2026-Q4/report.md"' in html
    assert 'href="/o/acme/teams/growth/report/2026-Q4/report.pdf"' in html
    assert "Download Markdown" in html and "Download PDF" in html
    assert "web/report.css" in html


def test_the_print_stylesheet_hides_the_navigation_and_puts_each_team_on_a_page() -> None:
    with open(finders.find("web/report.css"), encoding="utf-8") as sheet:
        css = sheet.read()
    printed = css[css.index("@media print") :]
    assert ".site-header" in printed and "display: none" in printed
    assert "break-before: page" in printed


def test_the_markdown_download_is_an_attachment_with_tables(world: World) -> None:
    _review_everything(world)
    response = _client(world.member).get(TEAM + "report.md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="acme-growth-2026-Q4-review.md"'
    text = response.content.decode()
    assert text.startswith("# Quarterly review of Growth · 2026-Q4\n")
    assert "## Growth" in text
    assert "### New teams get to value in their first week" in text
    assert f"| Grade | 0.8 (changed from 0.5: {REASON}) |" in text
    assert "| Decision | Carry over |" in text
    assert "| Key result | Baseline → target | Final value | Progress | Status |" in text
    assert "| Raise week-1 activation from 34% to 50% | 34% → 50% | 41% | 44% |" in text
    assert "**What surprised us?**\n\nAdmins invite colleagues on day one" in text
    assert "- A wizard beats a checklist `onboarding` `ux` _(about Guided setup wizard)_" in text
    assert "| Guided setup wizard | Raise week-1 activation from 34% to 50% | activation up" in text
    assert "| Partly worked |" in text


def test_the_pdf_download_is_a_pdf_with_the_report_and_its_charts(world: World) -> None:
    _review_everything(world)
    response = _client(world.member).get(TEAM + "report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="acme-growth-2026-Q4-review.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert b"New teams get to value in their first week" in text
    assert REASON.encode() in text
    assert b"Admins invite colleagues on day one" in text
    assert b"Partly worked" in text
    # Each metric key result's chart is drawn in vectors: its last day under the x axis, and
    # the check-ins in the series colour (#2456b3) written into the SVG for the PDF.
    assert text.count(b"(31 Dec 2026) Tj") == 2
    assert b"0.1412 0.3373 0.702 RG" in text


def test_unicode_titles_do_not_break_the_pdf(world: World) -> None:
    title = "Win “delighted” café owners 🚀 Привет"
    Objective.objects.filter(pk=world.objective.pk).update(title=title)
    Learning.objects.create(
        organization=world.org, team=world.team, period=world.period, text="Ça marche ✨"
    )
    client = _client(world.member)
    response = client.get(TEAM + "report.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Win “delighted” café owners ? ??????".encode("cp1252") in text
    assert "Ça marche ?".encode("cp1252") in text
    assert title in client.get(TEAM + "report.md").content.decode()
    assert title in client.get(TEAM).content.decode()


def test_a_note_longer_than_a_page_goes_on_over_the_next_pages(world: World) -> None:
    note = "\n".join(f"Note-line-{number}" for number in range(1, 301))
    InitiativeResult.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        initiative_title="Rewrite the onboarding",
        note=note + "\nTHE-LAST-LINE",
    )
    response = _client(world.member).get(TEAM + "report.pdf")
    text = pdf_text(response.content)
    assert b"(Note-line-1) Tj" in text and b"(Note-line-300) Tj" in text
    assert b"(THE-LAST-LINE) Tj" in text
    pages = int(re.search(rb"/Count (\d+)", response.content)[1])
    assert pages >= 4


def test_the_organisation_report_covers_every_team_with_something_to_report(
    world: World,
) -> None:
    _review_everything(world)
    Team.objects.create(organization=world.org, slug="idle", name="Idle team")
    client = _client(world.member)
    html = client.get(ORG).content.decode()
    assert "Quarterly review of Acme Analytics · 2026-Q4" in html
    assert 'href="/o/acme/teams/growth/report/2026-Q4/"' in html
    assert "Customers stay with us" in html and "New teams get to value" in html
    assert "Idle team" not in html
    assert "Globex" not in html
    text = client.get(ORG + "report.md").content.decode()
    assert text.index("## Acme") < text.index("## Growth")
    pdf = client.get(ORG + "report.pdf")
    assert pdf["Content-Disposition"] == 'attachment; filename="acme-2026-Q4-review.pdf"'
    assert b"Customers stay with us" in pdf_text(pdf.content)


def test_a_team_with_nothing_reviewed_yet_says_so(world: World) -> None:
    html = _client(world.member).get(TEAM).content.decode()
    assert "not decided yet" in html
    assert "No reflection recorded." in html
    assert "No learnings recorded." in html
    assert "No initiative results recorded." in html


def test_another_organisations_team_or_period_is_404(world: World) -> None:
    outsider = _client(world.outsider)
    for path in (TEAM, TEAM + "report.md", TEAM + "report.pdf", ORG, ORG + "report.pdf"):
        assert outsider.get(path).status_code == 404
    member = _client(world.member)
    assert member.get("/o/globex/report/2026-Q4/").status_code == 404
    assert member.get("/o/acme/teams/nobody/report/2026-Q4/report.md").status_code == 404
    assert member.get("/o/acme/report/2030-Q1/report.pdf").status_code == 404
    assert member.get("/o/acme/teams/growth/report/2030-Q1/").status_code == 404


def test_a_viewer_reads_and_downloads_the_reports(world: World) -> None:
    _review_everything(world)
    viewer = _client(world.viewer)
    for path in (TEAM, TEAM + "report.md", TEAM + "report.pdf", ORG, ORG + "report.md"):
        assert viewer.get(path).status_code == 200
    assert viewer.post(TEAM + "report.pdf").status_code == 405


def test_the_team_page_the_dashboard_and_the_review_link_to_the_reports(world: World) -> None:
    client = _client(world.member)
    assert TEAM in client.get("/o/acme/teams/growth/?period=2026-Q4").content.decode()
    assert ORG in client.get("/o/acme/?period=2026-Q4").content.decode()
    review = client.get("/o/acme/teams/growth/quarterly-review/2026-Q4/").content.decode()
    assert TEAM in review


def _grow(world: World, prefix: str, teams: int, size: int) -> None:
    """More teams, each with `size` reviewed objectives, key results and check-ins."""
    for number in range(teams):
        team = Team.objects.create(
            organization=world.org, slug=f"{prefix}-team{number}", name=f"Team {prefix}{number}"
        )
        TeamReflection.objects.create(
            organization=world.org, team=team, period=world.period, learned="Plenty"
        )
        for index in range(size):
            slug = f"{prefix}{number}-{index}"
            objective = make_objective(world.org, team, world.period, slug, f"Obj {slug}")
            kr = make_key_result(objective, "kr", f"Raise {slug}", baseline=1, target=2)
            make_key_result(objective, "done", f"Ship {slug}", type="milestone", done=True)
            CheckIn.objects.create(key_result=kr, value=1.5, checked_on=date(2026, 10, 20))
            ObjectiveReview.objects.create(
                organization=world.org, objective=objective, computed_grade=0, decision="done"
            )
            Learning.objects.create(
                organization=world.org,
                team=team,
                period=world.period,
                text=f"Learnt {slug}",
                tags=["x"],
                objective=objective,
                key_result=kr,
            )
            InitiativeResult.objects.create(
                organization=world.org,
                team=team,
                period=world.period,
                initiative_title=f"Work {slug}",
                key_result=kr,
                key_result_title=kr.title,
            )


def _queries(client: Client, path: str, expect: str) -> int:
    """The queries of one request with nothing cached, checking the answer shows `expect`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    body = pdf_text(response.content) if path.endswith(".pdf") else response.content
    assert expect.encode() in body
    return len(captured)


def test_the_reports_run_the_same_queries_whatever_their_size(world: World) -> None:
    client = _client(world.member)
    paths = (ORG, ORG + "report.md", ORG + "report.pdf", TEAM, TEAM + "report.md")
    _grow(world, "small", 1, 1)
    few = [_queries(client, path, "Obj small0-0" if "teams" not in path else "Growth")
           for path in paths]  # fmt: skip
    _grow(world, "large", 4, 6)
    many = [_queries(client, path, "Obj large3-5" if "teams" not in path else "Growth")
            for path in paths]  # fmt: skip
    assert few == many
