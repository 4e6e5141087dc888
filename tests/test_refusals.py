# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Why a challenge cannot pay for an order: the ORM-free rule on its own."""

import pytest

from odoo.addons.salon_otp_redeem.tools import refusals


@pytest.mark.parametrize(
    ("state", "same_order", "expired", "same_request", "expected"),
    [
        # Used by this very order: only its lines are checked again, even late.
        ("used", True, True, True, None),
        ("used", False, False, True, refusals.USED_ELSEWHERE),
        ("pending", False, False, True, refusals.NOT_VERIFIED),
        ("locked", False, True, False, refusals.NOT_VERIFIED),
        ("verified", False, True, False, refusals.EXPIRED),
        ("verified", False, False, False, refusals.OTHER_ORDER),
        ("verified", False, False, True, None),
    ],
)
def test_binding_refusals_in_the_order_they_are_checked(
    state, same_order, expired, same_request, expected
):
    assert refusals.binding(state, same_order, expired, same_request) is expected


def test_not_verified_names_the_state():
    assert "%(state)s" in str(refusals.NOT_VERIFIED)
