"""Login throttling: 10 failed sign-ins for a username or an address lock both out a while."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from tests.server.factories import PASSWORD, World

LOCKED = "Too many failed sign-ins for this account or address: try again in 15 minutes"
HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.20"


def sign_in(username: str, password: str, address: str = HERE) -> Any:
    """One sign-in attempt from `address` through the login page."""
    return Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )


def fail_ten_times(username: str = "member", address: str = HERE) -> list[int]:
    """The statuses of ten wrong passwords in a row."""
    return [sign_in(username, f"wrong-{n}", address).status_code for n in range(10)]


def test_the_eleventh_wrong_password_is_refused_with_the_throttling_message(
    world: World,
) -> None:
    statuses = fail_ten_times()
    # Nine ordinary refusals; the tenth failure is the one that locks.
    assert statuses[:9] == [200] * 9
    response = sign_in("member", "wrong-11")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert 'role="alert"' in html
    assert 'action="/accounts/login/"' in html  # the sign-in form, to try again later


def test_even_the_right_password_is_refused_while_locked(world: World) -> None:
    fail_ten_times()
    response = sign_in("member", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_the_username_is_locked_from_everywhere_and_the_address_for_everyone(
    world: World,
) -> None:
    fail_ten_times()
    assert sign_in("member", PASSWORD, ELSEWHERE).status_code == 429
    assert sign_in("leader", PASSWORD, HERE).status_code == 429


def test_another_person_elsewhere_is_unaffected(world: World) -> None:
    fail_ten_times()
    response = sign_in("leader", PASSWORD, ELSEWHERE)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_fewer_than_ten_failures_lock_nothing(world: World) -> None:
    for n in range(9):
        sign_in("member", f"wrong-{n}")
    assert sign_in("member", PASSWORD).status_code == 302


def test_an_admin_lifts_the_lock_and_the_person_signs_in(world: World) -> None:
    fail_ten_times()
    assert sign_in("member", PASSWORD).status_code == 429
    call_command("axes_reset_username", "member")
    # The address's own lock is lifted the same way (`axes_reset_ip`).
    call_command("axes_reset_ip", HERE)
    assert not AccessAttempt.objects.exists()
    assert sign_in("member", PASSWORD).status_code == 302


def test_the_admin_lists_the_locked_attempts(world: World) -> None:
    fail_ten_times()
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    staff = Client()
    staff.force_login(world.admin)
    response = staff.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "member" in response.content.decode()


def test_signing_in_from_a_test_without_a_request_still_works(world: World) -> None:
    # Django's test client signs in without a request: nothing to count, nothing refused.
    assert Client().login(username="member", password=PASSWORD) is True


def test_a_forged_forwarded_for_does_not_escape_the_lock(world: World) -> None:
    fail_ten_times()
    forged = Client(REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    response = forged.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(world: World) -> None:
    proxy = "10.0.0.1"
    for n in range(10):
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=HERE).post(
            reverse("login"), {"username": "member", "password": f"wrong-{n}"}
        )
    # Another client behind the same proxy, signing in as someone else, is not locked out.
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    response = other.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
