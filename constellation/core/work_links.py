"""Links from an initiative to the work that tracks it: which tracker a URL points at, and a
short label for it ("ABC-123", "owner/repo#42") to show instead of the raw address.

Pure logic, shared by the server (forms, API, import) and the OKR file's loader, so a link is
read the same way everywhere. Only web addresses (http and https) are links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

MAX_URL_LENGTH: Final = 2000
MAX_LABEL_LENGTH: Final = 60

JIRA, GITHUB, GITLAB, LINEAR, OTHER = "jira", "github", "gitlab", "linear", "other"
# Every kind with the name a person reads, in the order forms and docs list them.
KINDS: Final = {JIRA: "Jira", GITHUB: "GitHub", GITLAB: "GitLab", LINEAR: "Linear", OTHER: "Link"}

_ISSUE_KEY = r"[A-Za-z][A-Za-z0-9_]*-\d+"
_JIRA_BROWSE = re.compile(rf"/browse/({_ISSUE_KEY})/?$")
_GITHUB_ITEM = re.compile(r"^/([^/]+)/([^/]+)/(issues|pull|pulls)/(\d+)(?:/.*)?$")
_GITHUB_REPO = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/?$")
_GITLAB_ITEM = re.compile(r"^/(.+?)/-/(issues|merge_requests|work_items)/(\d+)(?:/.*)?$")
_LINEAR_ISSUE = re.compile(rf"^/[^/]+/issue/({_ISSUE_KEY})(?:/.*)?$")


@dataclass(frozen=True, slots=True)
class WorkLink:
    """A link to work: the address, the tracker it points at (a key of `KINDS`), and a label."""

    url: str
    kind: str
    label: str

    @property
    def kind_name(self) -> str:
        """The tracker's name as people read it: "Jira", "GitHub", ... or "Link"."""
        return KINDS[self.kind]


def check_url(text: str) -> str:
    """The address, trimmed, when it is a web address (http or https) with a host; else
    ValueError saying what is wrong, in words a form or a file's message can show."""
    url = text.strip()
    if not url:
        raise ValueError("a link needs a web address, such as https://example.com/issue/1")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"a link is at most {MAX_URL_LENGTH} characters long")
    if any(ch.isspace() for ch in url):
        raise ValueError(f"a web address has no spaces: {_shown(url)}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ValueError(f"not a web address: {_shown(url)}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(
            f"only web addresses starting with http:// or https:// are links, got {_shown(url)}"
        )
    if not host:
        raise ValueError(f"a web address names a site after the //, got {_shown(url)}")
    return url


def detect(text: str) -> WorkLink:
    """What a (checked) address points at: its tracker and a short label (ValueError when it
    is not a web address, as `check_url`)."""
    url = check_url(text)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = unquote(parts.path)
    for reader in (_jira, _github, _gitlab, _linear):
        found = reader(host, path, parts.query)
        if found is not None:
            kind, label = found
            return WorkLink(url, kind, _short(label))
    return WorkLink(url, OTHER, _short(_plain(host, path)))


def _jira(host: str, path: str, query: str) -> tuple[str, str] | None:
    """Jira Cloud (`*.atlassian.net`) and any Jira's `/browse/KEY-1` pages."""
    browse = _JIRA_BROWSE.search(path)
    if browse:
        return JIRA, browse.group(1).upper()
    if not host.endswith(".atlassian.net"):
        return None
    selected = parse_qs(query).get("selectedIssue", [])
    if selected and re.fullmatch(_ISSUE_KEY, selected[0]):
        return JIRA, selected[0].upper()
    return JIRA, _plain(host, path)


def _github(host: str, path: str, query: str) -> tuple[str, str] | None:
    """github.com issues and pull requests as `owner/repo#42`; a repository as `owner/repo`."""
    if host != "github.com":
        return None
    item = _GITHUB_ITEM.match(path)
    if item:
        owner, repo, _, number = item.groups()
        return GITHUB, f"{owner}/{repo}#{number}"
    repo_only = _GITHUB_REPO.match(path)
    if repo_only:
        return GITHUB, f"{repo_only.group(1)}/{repo_only.group(2)}"
    return GITHUB, _plain(host, path)


def _gitlab(host: str, path: str, query: str) -> tuple[str, str] | None:
    """GitLab's `/-/issues/N` (`group/project#N`) and `/-/merge_requests/N`
    (`group/project!N`), on gitlab.com or a GitLab of one's own."""
    item = _GITLAB_ITEM.match(path)
    if item:
        project, what, number = item.groups()
        return GITLAB, f"{project}{'!' if what == 'merge_requests' else '#'}{number}"
    if host == "gitlab.com" or host.endswith(".gitlab.com"):
        return GITLAB, _plain(host, path)
    return None


def _linear(host: str, path: str, query: str) -> tuple[str, str] | None:
    """Linear issues (`linear.app/<workspace>/issue/ABC-12/...`) as `ABC-12`."""
    if host != "linear.app":
        return None
    issue = _LINEAR_ISSUE.match(path)
    return LINEAR, issue.group(1).upper() if issue else _plain(host, path)


def _plain(host: str, path: str) -> str:
    """Host and path without the scheme, `www.` and a closing slash: how an address reads."""
    return f"{host}{path}".rstrip("/")


def _short(label: str) -> str:
    """A label cut to `MAX_LABEL_LENGTH` characters, ending in … when cut."""
    if len(label) <= MAX_LABEL_LENGTH:
        return label
    return label[: MAX_LABEL_LENGTH - 1] + "…"


def _shown(url: str) -> str:
    """An address quoted back in a message, cut when long."""
    return repr(url if len(url) <= MAX_LABEL_LENGTH else url[: MAX_LABEL_LENGTH - 1] + "…")
