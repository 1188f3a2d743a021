"""URLs of the web app: sign-in, the start page and the pages of each organisation."""

from __future__ import annotations

from django.urls import path

from constellation.server.web.views import (
    accounts,
    alignment,
    auth,
    dashboard,
    databank,
    dependencies,
    draft_carry,
    draft_key_results,
    drafting,
    kpis,
    launch,
    my_week,
    notifications,
    objectives,
    people,
    planning,
    quarterly_report,
    quarterly_review,
    readiness,
    reminders,
    review_requests,
    sharing,
    sso,
    strategy,
    teams,
    teams_manage,
    tokens,
)
from constellation.server.web.views.moved import moved_to

# `str`, not `slug`: ids come from OKR files, which do not restrict them to slug characters.
urlpatterns = [
    path("accounts/login/", auth.login, name="login"),
    path("accounts/logout/", auth.logout, name="logout"),
    path("accounts/password-reset/", accounts.password_reset, name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        accounts.password_reset_done,
        name="password-reset-done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("setup/<str:token>/", accounts.setup, name="setup"),
    path("profile/", accounts.profile, name="profile"),
    path("profile/email/<str:token>/", accounts.confirm_email, name="confirm-email"),
    # Single sign-on; the names are the ones mozilla-django-oidc reverses.
    path("oidc/authenticate/", sso.SsoStart.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", sso.SsoCallback.as_view(), name="oidc_authentication_callback"),
    path("", auth.home, name="home"),
    path("switch/", auth.switch_organization, name="switch-organization"),
    path("o/<str:org>/", dashboard.dashboard, name="dashboard"),
    path("o/<str:org>/teams/", teams_manage.teams_page, name="teams"),
    path("o/<str:org>/teams/<str:team>/", teams.team, name="team"),
    path(
        "o/<str:org>/teams/<str:team>/settings/",
        teams_manage.team_settings,
        name="team-settings",
    ),
    path("o/<str:org>/teams/<str:team>/archive/", teams_manage.team_archive, name="team-archive"),
    path("o/<str:org>/teams/<str:team>/members/", teams_manage.team_members, name="team-members"),
    path("o/<str:org>/teams/<str:team>/rows/", dashboard.team_rows, name="team-rows"),
    path("o/<str:org>/objectives/<str:slug>/", objectives.objective, name="objective"),
    path(
        "o/<str:org>/objectives/<str:slug>/history/",
        objectives.objective_history,
        name="objective-history",
    ),
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
    path(
        "o/<str:org>/objectives/<str:slug>/alignment/search/",
        alignment.search,
        name="alignment-search",
    ),
    path("o/<str:org>/objectives/<str:slug>/alignment/", alignment.align, name="alignment-add"),
    path(
        "o/<str:org>/objectives/<str:slug>/aligns-to/<str:target>/remove/",
        alignment.unalign,
        name="alignment-remove",
    ),
    path("o/<str:org>/notifications/", notifications.notifications, name="notifications"),
    path(
        "o/<str:org>/notifications/read-all/",
        notifications.mark_all_read,
        name="notifications-read-all",
    ),
    path(
        "o/<str:org>/notifications/<int:notification_id>/",
        notifications.open_notification,
        name="notification-open",
    ),
    path(
        "o/<str:org>/notifications/<int:notification_id>/read/",
        notifications.mark_read,
        name="notification-read",
    ),
    path(
        "o/<str:org>/teams/<str:team>/send-for-review/",
        sharing.send_for_review,
        name="review-send",
    ),
    # The old address said "review", which read like the quarterly review.
    path("o/<str:org>/teams/<str:team>/review/", moved_to("review-send"), name="review-send-old"),
    path(
        "o/<str:org>/review-requests/<int:review_request>/",
        review_requests.review,
        name="review-request",
    ),
    path(
        "o/<str:org>/review-requests/<int:review_request>/answer/",
        review_requests.answer,
        name="review-request-answer",
    ),
    path(
        "o/<str:org>/review-requests/<int:review_request>/resubmit/",
        review_requests.resubmit,
        name="review-request-resubmit",
    ),
    path(
        "o/<str:org>/review-requests/<int:review_request>/launch/",
        launch.launch_review,
        name="review-request-launch",
    ),
    path("o/<str:org>/launches/<int:launch>/", launch.launch, name="launch"),
    path(
        "o/<str:org>/objectives/<str:slug>/dependencies/new/",
        dependencies.ask,
        name="dependency-new",
    ),
    path(
        "o/<str:org>/dependencies/<int:dependency>/",
        dependencies.dependency,
        name="dependency",
    ),
    path(
        "o/<str:org>/dependencies/<int:dependency>/answer/",
        dependencies.answer_dependency,
        name="dependency-answer",
    ),
    path("o/<str:org>/teams/<str:team>/draft/", drafting.team_draft, name="team-draft"),
    path(
        "o/<str:org>/teams/<str:team>/draft/start/",
        draft_carry.start_from_last_period,
        name="start-from-last-period",
    ),
    path("o/<str:org>/draft/new-objective/", drafting.new_objective, name="objective-new"),
    path("o/<str:org>/draft/coach/", drafting.coach_new_objective, name="coach-new-objective"),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/", drafting.edit_objective, name="objective-draft"
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/coach/",
        drafting.coach_objective,
        name="coach-objective",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/new/",
        draft_key_results.new_key_result,
        name="key-result-new",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/coach/",
        draft_key_results.coach_key_result,
        name="key-result-coach",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/read/",
        draft_key_results.read_statement,
        name="key-result-read",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/<str:kr>/edit/",
        draft_key_results.edit_key_result,
        name="key-result-edit",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/<str:kr>/delete/",
        draft_key_results.delete_key_result,
        name="key-result-delete",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/key-results/<str:kr>/to-initiative/",
        draft_key_results.move_to_initiative,
        name="key-result-to-initiative",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/initiatives/new/",
        draft_key_results.new_initiative,
        name="initiative-new",
    ),
    path(
        "o/<str:org>/objectives/<str:slug>/draft/initiatives/<int:initiative>/",
        draft_key_results.initiative_moves,
        name="initiative-moves",
    ),
    path("o/<str:org>/strategy/", strategy.strategy_home, name="strategy"),
    path("o/<str:org>/strategy/<int:year>/", strategy.strategy_year, name="strategy-year"),
    path("o/<str:org>/strategy/<int:year>/edit/", strategy.save_strategy, name="strategy-save"),
    path(
        "o/<str:org>/strategy/<int:year>/levers/",
        strategy.create_lever,
        name="strategy-lever-create",
    ),
    path(
        "o/<str:org>/strategy/<int:year>/levers/<str:lever>/",
        strategy.edit_lever,
        name="strategy-lever-edit",
    ),
    path(
        "o/<str:org>/strategy/<int:year>/roadmap/",
        strategy.create_item,
        name="strategy-item-create",
    ),
    path(
        "o/<str:org>/strategy/<int:year>/roadmap/<int:item>/",
        strategy.edit_item,
        name="strategy-item-edit",
    ),
    path("o/<str:org>/plan/", planning.planning, name="planning"),
    path("o/<str:org>/plan-ahead/", planning.plan_ahead, name="plan-ahead"),
    path("o/<str:org>/plan/<str:period>/", planning.planning, name="planning-period"),
    path("o/<str:org>/teams/<str:team>/readiness/", readiness.readiness, name="team-readiness"),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/",
        quarterly_review.quarterly_review,
        name="quarterly-review",
    ),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/objectives/<str:slug>/",
        quarterly_review.review_objective,
        name="quarterly-review-objective",
    ),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/reflection/",
        quarterly_review.save_reflection,
        name="quarterly-review-reflection",
    ),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/learnings/",
        quarterly_review.record_learning,
        name="quarterly-review-learning",
    ),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/initiative-results/",
        quarterly_review.record_result,
        name="quarterly-review-result",
    ),
    path(
        "o/<str:org>/teams/<str:team>/quarterly-review/<str:period>/finish/",
        quarterly_review.finish_review,
        name="quarterly-review-finish",
    ),
    path(
        "o/<str:org>/teams/<str:team>/report/<str:period>/",
        quarterly_report.team_report,
        name="team-report",
    ),
    path(
        "o/<str:org>/teams/<str:team>/report/<str:period>/report.md",
        quarterly_report.team_report_markdown,
        name="team-report-markdown",
    ),
    path(
        "o/<str:org>/teams/<str:team>/report/<str:period>/report.pdf",
        quarterly_report.team_report_pdf,
        name="team-report-pdf",
    ),
    path("o/<str:org>/report/<str:period>/", quarterly_report.org_report, name="org-report"),
    path(
        "o/<str:org>/report/<str:period>/report.md",
        quarterly_report.org_report_markdown,
        name="org-report-markdown",
    ),
    path(
        "o/<str:org>/report/<str:period>/report.pdf",
        quarterly_report.org_report_pdf,
        name="org-report-pdf",
    ),
    path("o/<str:org>/my-week/", my_week.my_week_page, name="my-week"),
    path("o/<str:org>/data-bank/", databank.data_bank, name="data-bank"),
    path("o/<str:org>/draft/data-bank/", databank.draft_suggestions, name="draft-data-bank"),
    path("o/<str:org>/kpis/", kpis.kpi_list, name="kpis"),
    path("o/<str:org>/kpis/new/", kpis.new_kpi, name="kpi-new"),
    path("o/<str:org>/kpis/readings/upload/", kpis.upload_many, name="kpi-upload-many"),
    path("o/<str:org>/kpis/<str:kpi>/", kpis.kpi_page, name="kpi"),
    path("o/<str:org>/kpis/<str:kpi>/edit/", kpis.edit_kpi, name="kpi-edit"),
    path("o/<str:org>/kpis/<str:kpi>/readings/", kpis.add_reading, name="kpi-reading-add"),
    path(
        "o/<str:org>/kpis/<str:kpi>/readings/upload/",
        kpis.upload_readings,
        name="kpi-upload",
    ),
    path("o/<str:org>/kpis/<str:kpi>/promote/", kpis.promote, name="kpi-promote"),
    path(
        "o/<str:org>/settings/reminders/",
        reminders.reminder_settings,
        name="reminder-settings",
    ),
    path("o/<str:org>/tokens/", tokens.tokens, name="tokens"),
    path("o/<str:org>/people/", people.people, name="people"),
    path("o/<str:org>/people/<str:username>/role/", people.change_role, name="people-role"),
    path(
        "o/<str:org>/people/<str:username>/deactivate/",
        people.deactivate,
        name="people-deactivate",
    ),
    path(
        "o/<str:org>/people/<str:username>/reactivate/",
        people.reactivate,
        name="people-reactivate",
    ),
    path(
        "o/<str:org>/invitations/<int:invitation>/resend/",
        people.resend_invitation,
        name="invitation-resend",
    ),
    path(
        "o/<str:org>/invitations/<int:invitation>/revoke/",
        people.revoke_invitation,
        name="invitation-revoke",
    ),
    # The link an invitation email carries; it needs no sign-in.
    path("invitations/<str:token>/", people.invitation, name="invitation"),
    path("o/<str:org>/tokens/<int:token_id>/revoke/", tokens.revoke_token, name="token-revoke"),
]
