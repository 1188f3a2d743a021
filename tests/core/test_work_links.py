"""Links from initiatives to the work that tracks them: the tracker and the label of many
shapes of address, and the addresses that are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constellation.core.work_links import KINDS, MAX_LABEL_LENGTH, check_url, detect


@pytest.mark.parametrize(
    ("url", "kind", "label"),
    [
        # Jira Cloud and any Jira's /browse/ pages
        ("https://acme.atlassian.net/browse/ABC-123", "jira", "ABC-123"),
        ("https://acme.atlassian.net/browse/abc-7/", "jira", "ABC-7"),
        ("https://jira.acme.example/browse/OPS_2-42", "jira", "OPS_2-42"),
        ("http://tracker.local:8080/jira/browse/WEB-1", "jira", "WEB-1"),
        (
            "https://acme.atlassian.net/jira/software/projects/ABC/boards/1?selectedIssue=ABC-9",
            "jira",
            "ABC-9",
        ),
        (
            "https://acme.atlassian.net/wiki/spaces/ENG",
            "jira",
            "acme.atlassian.net/wiki/spaces/ENG",
        ),
        # GitHub issues, pull requests and repositories
        ("https://github.com/acme/app/issues/42", "github", "acme/app#42"),
        ("https://github.com/acme/app/pull/7", "github", "acme/app#7"),
        ("https://github.com/acme/app/pull/7/files", "github", "acme/app#7"),
        ("https://www.github.com/acme/app/issues/3#issuecomment-1", "github", "acme/app#3"),
        ("https://github.com/acme/app/issues/42?q=x", "github", "acme/app#42"),
        ("https://github.com/acme/app", "github", "acme/app"),
        ("https://github.com/acme/app.git", "github", "acme/app"),
        ("https://github.com/orgs/acme/projects/2", "github", "github.com/orgs/acme/projects/2"),
        # GitLab, on gitlab.com and self-hosted
        ("https://gitlab.com/acme/app/-/issues/12", "gitlab", "acme/app#12"),
        ("https://gitlab.com/acme/sub/app/-/merge_requests/5", "gitlab", "acme/sub/app!5"),
        ("https://git.acme.example/team/app/-/issues/99/", "gitlab", "team/app#99"),
        ("https://gitlab.com/acme/app/-/work_items/4", "gitlab", "acme/app#4"),
        ("https://gitlab.com/acme/app", "gitlab", "gitlab.com/acme/app"),
        # Linear
        ("https://linear.app/acme/issue/ABC-12/guided-setup", "linear", "ABC-12"),
        ("https://linear.app/acme/issue/eng-3", "linear", "ENG-3"),
        (
            "https://linear.app/acme/project/onboarding-1a2b",
            "linear",
            "linear.app/acme/project/onboarding-1a2b",
        ),
        # anything else
        (
            "https://docs.acme.example/specs/guided-setup/",
            "other",
            "docs.acme.example/specs/guided-setup",
        ),
        ("https://www.example.com", "other", "example.com"),
        ("HTTPS://Example.COM/Path", "other", "example.com/Path"),
        (
            "https://github.example.com/acme/app/issues/1",
            "other",
            "github.example.com/acme/app/issues/1",
        ),
    ],
)
def test_it_reads_the_tracker_and_label_of_an_address(url: str, kind: str, label: str) -> None:
    link = detect(url)
    assert (link.url, link.kind, link.label) == (url, kind, label)
    assert link.kind_name == KINDS[kind]


def test_it_trims_the_address_it_keeps() -> None:
    assert detect("  https://github.com/acme/app/issues/1 \n").url == (
        "https://github.com/acme/app/issues/1"
    )


def test_a_long_label_is_cut_with_an_ellipsis() -> None:
    link = detect("https://example.com/" + "a" * 200)
    assert len(link.label) == MAX_LABEL_LENGTH
    assert link.label.endswith("…")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "needs a web address"),
        ("   ", "needs a web address"),
        ("ftp://files.example.com/plan.pdf", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("mailto:team@example.com", "http:// or https://"),
        ("github.com/acme/app/issues/1", "http:// or https://"),
        ("https://", "names a site"),
        ("https:///path", "names a site"),
        ("https://exa mple.com", "no spaces"),
        ("https://[::1", "not a web address"),
        ("https://example.com/" + "x" * 2000, "at most 2000"),
    ],
)
def test_it_refuses_what_is_not_a_web_address(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_url(text)
    with pytest.raises(ValueError):
        detect(text)


@given(st.text(max_size=80))
def test_any_text_is_either_a_link_or_a_clear_refusal(text: str) -> None:
    try:
        link = detect(text)
    except ValueError as refused:
        assert str(refused)
    else:
        assert link.kind in KINDS
        assert 0 < len(link.label) <= MAX_LABEL_LENGTH
