"""Secrets kept at rest (a data source's header, a webhook's signing secret), sealed with a key
derived from SECRET_KEY.

A database dump alone never reveals them: opening one needs the instance's secret key too.
Keys in SECRET_KEY_FALLBACKS still open what they sealed, so the key can be rotated; `reseal`
moves a value to the current key.
"""

from __future__ import annotations

from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from constellation.server.errors import ActionError

# Changing this would make every sealed value unreadable: it names the purpose of the key.
_PURPOSE = b"constellation sealed secrets v1"


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    fallbacks = list(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return MultiFernet([_fernet(key) for key in [settings.SECRET_KEY, *fallbacks]])


def seal(plain: str) -> str:
    """The sealed form of `plain`, safe to store; empty stays empty."""
    if not plain:
        return ""
    return _keys().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    """The plain value of a sealed one; ActionError when no known key opens it (the secret key
    changed with no fallback), so the caller can ask for the secret again."""
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise ActionError(
            "secret", "a stored secret cannot be opened with this instance's secret key"
        ) from error


def reseal(sealed: str) -> str:
    """The same secret sealed with the current key (after a key rotation)."""
    return _keys().rotate(sealed.encode()).decode() if sealed else ""
