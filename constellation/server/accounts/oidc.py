"""Signing in with any OpenID Connect provider, through mozilla-django-oidc.

mozilla-django-oidc wants each endpoint as a setting and has no discovery of its own; here its
settings lookup is replaced by one that reads the endpoints from the issuer's discovery
document (fetched on first use and kept for an hour), so an operator sets only the issuer.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import (  # type: ignore[import-untyped]
    OIDCAuthenticationBackend,
)
from mozilla_django_oidc.utils import import_from_settings  # type: ignore[import-untyped]

from constellation.server.accounts.sso import SsoClaims, SsoPolicy, SsoRefused, sign_in_with_sso

log = logging.getLogger(__name__)

# mozilla-django-oidc's endpoint settings, and the discovery document's key for each.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_TTL = 3600.0
LOOPBACK = {"127.0.0.1", "::1", "localhost"}

_documents: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


class DiscoveryError(Exception):
    """The provider's discovery document could not be read or does not fit its issuer."""


def sso_enabled() -> bool:
    """Whether single sign-on is configured: an issuer and a client id."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def password_login_on() -> bool:
    """Whether passwords sign in; always, unless single sign-on is there to replace them."""
    return bool(settings.PASSWORD_LOGIN) or not sso_enabled()


def provider_name() -> str:
    """The provider's name as the login page shows it ("Sign in with <name>")."""
    return str(settings.OIDC_PROVIDER_NAME or "single sign-on")


def sso_policy() -> SsoPolicy:
    """Who may join through single sign-on, from the settings."""
    return SsoPolicy(
        organization=settings.OIDC_ORGANIZATION,
        allowed_domains=tuple(settings.OIDC_ALLOWED_DOMAINS),
        new_role=settings.OIDC_NEW_ROLE,
    )


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, fetched on first use and kept for DISCOVERY_TTL."""
    issuer = issuer.rstrip("/")
    with _lock:
        cached = _documents.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    parts = urlsplit(issuer)
    # Tokens and keys over plain HTTP could be swapped on the way; only loopback may skip TLS.
    if parts.scheme != "https" and parts.hostname not in LOOPBACK:
        raise DiscoveryError(f"OIDC_ISSUER must be an https:// URL, not {issuer}")
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(f"{url} could not be read: {error}") from error
    # A document naming another issuer would let its endpoints speak for this one.
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError(f"{url} does not describe the issuer {issuer}")
    missing = [key for key in DISCOVERED.values() if not document.get(key)]
    if missing:
        raise DiscoveryError(f"{url} lacks {', '.join(missing)}")
    with _lock:
        _documents[issuer] = (time.monotonic() + DISCOVERY_TTL, document)
    return document


def forget_discovery() -> None:
    """Drop the cached discovery documents (a provider moved its endpoints; tests)."""
    with _lock:
        _documents.clear()


def oidc_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings lookup, with the endpoints taken from discovery."""
    if name in DISCOVERED:
        return discovery(settings.OIDC_ISSUER)[DISCOVERED[name]]
    return import_from_settings(name, *default)


def _endpoint(name: str) -> property:
    # Looked up when first needed, so merely loading the backend (Django does it on every
    # password login too) never calls the provider.
    return property(lambda self: oidc_setting(name))


class OidcBackend(OIDCAuthenticationBackend):
    """The authorization code flow against the configured issuer, with RS256 ID tokens."""

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_TOKEN_ENDPOINT = _endpoint("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _endpoint("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _endpoint("OIDC_OP_JWKS_ENDPOINT")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Read the client's settings; the endpoints wait for discovery (see `_endpoint`)."""
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        """Only the OIDC callback (which passes a nonce) signs in here; passwords go on by."""
        if not sso_enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: int) -> Any:
        """The session's person, if still active (the library's version skips that check)."""
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks signature, expiry and nonce; this adds issuer and audience."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if self.OIDC_RP_CLIENT_ID not in audiences or "exp" not in payload:
            raise SuspiciousOperation("The ID token is not for this client or never expires.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The person the claims sign in as, or None with the reason kept on the request."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        claims = {**payload, **userinfo}
        verified = claims.get("email_verified")
        if isinstance(verified, str):  # some providers send "true" / "false"
            verified = verified.lower() == "true"
        try:
            return sign_in_with_sso(
                SsoClaims(
                    issuer=settings.OIDC_ISSUER,
                    subject=str(claims["sub"]),
                    email=str(claims.get("email") or ""),
                    email_verified=None if verified is None else bool(verified),
                    given_name=str(claims.get("given_name") or ""),
                    family_name=str(claims.get("family_name") or ""),
                ),
                sso_policy(),
            )
        except SsoRefused as refusal:
            log.info("single sign-on refused: %s", refusal)
            # The callback view reads it to show the refusal page instead of a bare redirect.
            self.request.sso_refusal = str(refusal)
            return None
