"""Secrets at rest are sealed with a key derived from SECRET_KEY, and survive a key rotation."""

from __future__ import annotations

import pytest
from django.test import override_settings

from constellation.server.errors import ActionError
from constellation.server.sealed import reseal, seal, unseal


def test_a_sealed_secret_opens_to_the_same_value_and_does_not_show_it() -> None:
    sealed = seal("Bearer s3cr3t-token")
    assert "s3cr3t" not in sealed
    assert unseal(sealed) == "Bearer s3cr3t-token"
    assert seal("") == "" and unseal("") == ""


def test_a_secret_sealed_before_a_key_rotation_still_opens_and_can_be_resealed() -> None:
    with override_settings(SECRET_KEY="old-key-" + "x" * 40):
        sealed = seal("token")
    with override_settings(
        SECRET_KEY="new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=["old-key-" + "x" * 40]
    ):
        assert unseal(sealed) == "token"
        moved = reseal(sealed)
    with override_settings(SECRET_KEY="new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
        assert unseal(moved) == "token"
        with pytest.raises(ActionError) as refused:
            unseal(sealed)
    assert refused.value.field == "secret"
