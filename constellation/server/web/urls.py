"""URLs of the web app: sign-in, the start page and the pages of each organisation."""

from __future__ import annotations

from django.urls import path

from constellation.server.web.views import auth, dashboard, objectives, teams, tokens

# `str`, not `slug`: ids come from OKR files, which do not restrict them to slug characters.
urlpatterns = [
    path("accounts/login/", auth.login, name="login"),
    path("accounts/logout/", auth.logout, name="logout"),
    path("", auth.home, name="home"),
    path("switch/", auth.switch_organization, name="switch-organization"),
    path("o/<str:org>/", dashboard.dashboard, name="dashboard"),
    path("o/<str:org>/teams/<str:team>/", teams.team, name="team"),
    path("o/<str:org>/objectives/<str:slug>/", objectives.objective, name="objective"),
    path(
        "o/<str:org>/objectives/<str:slug>/edit/",
        objectives.edit_objective,
        name="objective-edit",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/key-results/<str:kr>/check-ins/",
        objectives.check_in,
        name="check-in",
    ),
    path("o/<str:org>/tokens/", tokens.tokens, name="tokens"),
    path("o/<str:org>/tokens/<int:token_id>/revoke/", tokens.revoke_token, name="token-revoke"),
]
