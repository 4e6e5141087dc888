# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masked destinations, as the POS dialog and the audit show them."""

import pytest

from odoo.addons.salon_otp_redeem.tools import masking

B = masking.MASK


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+33612345678", f"+33 6{B}{B} {B}{B} {B}{B} 78"),
        ("+33 6 12 34 56 78", f"+33 6{B}{B} {B}{B} {B}{B} 78"),
        ("+34612345678", f"+34 6{B}{B} {B}{B} {B}{B} 78"),
        ("+447911123456", f"+44 7{B}{B} {B}{B} {B}{B} {B} 56"),
        ("+12025550123", f"+1 2{B}{B} {B}{B} {B}{B} {B} 23"),
        # No country code: the digits only.
        ("0612345678", f"0{B}{B} {B}{B} {B}{B} {B} 78"),
    ],
)
def test_mask_phone(number, masked):
    assert masking.mask_phone(number) == masked


def test_mask_phone_hides_the_middle():
    masked = masking.mask_phone("+33612345678")
    for digits in ("1234", "2345", "3456", "123456"):
        assert digits not in masked.replace(" ", "")
    assert masked.endswith("78")


@pytest.mark.parametrize("number", ["", None, "12345", "+331", "abc", "+"])
def test_mask_short_or_odd_phone_shows_no_digit(number):
    masked = masking.mask_phone(number)
    assert not any(ch.isdigit() for ch in masked)


def test_mask_short_phone_keeps_its_length():
    assert masking.mask_phone("12345") == B * 5


def test_mask_phone_with_an_unknown_country_code_hides_the_middle():
    masked = masking.mask_phone("+999123456789")
    assert masked.endswith("89")
    assert "345678" not in masked.replace(" ", "")


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("anna@example.com", f"a{B}{B}{B}@example.com"),
        ("anna.smith@example.com", f"a{B}{B}{B}@example.com"),
        ("  bob@example.org ", f"b{B}{B}{B}@example.org"),
        ("a@b.c", f"a{B}{B}{B}@b.c"),
        ("odd@name@example.com", f"o{B}{B}{B}@example.com"),
        ("", ""),
        (None, ""),
        ("no-at-sign", ""),
        ("@example.com", ""),
    ],
)
def test_mask_email(address, masked):
    assert masking.mask_email(address) == masked


def test_mask_email_length_does_not_leak_the_local_part():
    assert masking.mask_email("a@x.com") == masking.mask_email("alexandra@x.com")


def test_mask_destination_by_channel():
    assert (
        masking.mask_destination("email", "anna@example.com")
        == f"a{B}{B}{B}@example.com"
    )
    assert masking.mask_destination("sms", "+33612345678").endswith("78")
    assert masking.mask_destination("whatsapp", "+33612345678") == masking.mask_phone(
        "+33612345678"
    )
