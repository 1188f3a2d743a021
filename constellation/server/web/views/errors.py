"""The pages for refused, missing and failed requests (styled, each with a way back), and
the icon browsers ask for on their own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a malformed address or form (a `BadRequest`), its message naming the field."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: a refusal the views did not word themselves (a `PermissionDenied`)."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: never says whether the thing exists elsewhere (another organisation's)."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: drawn without the request's context or the database, which may be what failed."""
    return HttpResponseServerError(loader.get_template("500.html").render())


def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, asked for by browsers on their own: the SVG icon."""
    return HttpResponseRedirect(static("web/favicon.svg"))
