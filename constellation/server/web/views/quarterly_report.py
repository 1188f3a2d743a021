"""The quarterly review report of a team's or the organisation's period: a printable page,
and the same report as Markdown and PDF downloads. Anyone in the organisation may read them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.okrs.access import access_period
from constellation.server.orgs.access import Access, access_team
from constellation.server.quarterly.report import Report, gather
from constellation.server.quarterly.report_markdown import to_markdown
from constellation.server.quarterly.report_pdf import to_pdf
from constellation.server.web.views.permissions import org_view

PAGE = "web/quarterly_report.html"


def _team_report(access: Access, team: str, period: str) -> Report:
    found = access_period(access, period)
    return gather(access, found, access_team(access, team))


def _page(request: HttpRequest, access: Access, report: Report) -> HttpResponse:
    return render(
        request,
        PAGE,
        {"access": access, "organization": access.organization, "report": report},
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _markdown(report: Report) -> HttpResponse:
    text = to_markdown(report).encode()
    return _download(text, "text/markdown; charset=utf-8", f"{report.filename}.md")


def _pdf(report: Report) -> HttpResponse:
    return _download(to_pdf(report), "application/pdf", f"{report.filename}.pdf")


@org_view()
def team_report(request: HttpRequest, access: Access, team: str, period: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/report/<period>/`: the team's review report, printable."""
    return _page(request, access, _team_report(access, team, period))


@org_view()
def team_report_markdown(
    request: HttpRequest, access: Access, team: str, period: str
) -> HttpResponse:
    """The team's review report as a Markdown download."""
    return _markdown(_team_report(access, team, period))


@org_view()
def team_report_pdf(request: HttpRequest, access: Access, team: str, period: str) -> HttpResponse:
    """The team's review report as a PDF download."""
    return _pdf(_team_report(access, team, period))


@org_view()
def org_report(request: HttpRequest, access: Access, period: str) -> HttpResponse:
    """`/o/<org>/report/<period>/`: every team's review report of the period, printable."""
    return _page(request, access, gather(access, access_period(access, period)))


@org_view()
def org_report_markdown(request: HttpRequest, access: Access, period: str) -> HttpResponse:
    """The organisation's review report as a Markdown download."""
    return _markdown(gather(access, access_period(access, period)))


@org_view()
def org_report_pdf(request: HttpRequest, access: Access, period: str) -> HttpResponse:
    """The organisation's review report as a PDF download."""
    return _pdf(gather(access, access_period(access, period)))
