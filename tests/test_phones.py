# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Numbers to E.164, or a reason: a code never goes to a guessed number."""

import pytest

from odoo.addons.salon_otp_redeem.tools import phones


@pytest.mark.parametrize(
    ("number", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("+34 91 123 45 67", None, "+34911234567"),
        ("07911 123456", "GB", "+447911123456"),
        ("07911 123456", "gb", "+447911123456"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("+1 202-555-0123", "FR", "+12025550123"),  # an international number wins
    ],
)
def test_to_e164(number, country, e164):
    assert phones.to_e164(number, country) == e164


@pytest.mark.parametrize(
    ("number", "country", "reason"),
    [
        ("", "FR", "no number"),
        (None, "FR", "no number"),
        ("   ", "FR", "no number"),
        ("abc", "FR", "cannot parse"),
        ("0612345678", None, "cannot parse"),  # national number, no country
        ("12", "FR", "not a valid number"),
        ("06 12 34 56 78", "US", "not a valid number"),
        ("+33 1 23", None, "not a valid number"),
    ],
)
def test_invalid_numbers_say_why(number, country, reason):
    with pytest.raises(phones.InvalidPhone, match=reason):
        phones.to_e164(number, country)


def test_invalid_phone_is_a_value_error():
    assert issubclass(phones.InvalidPhone, ValueError)


def test_first_valid_returns_the_first_usable_number_and_the_reasons():
    number, reasons = phones.first_valid(
        ["", None, "abc", "06 12 34 56 78", "07 00"], "FR"
    )
    assert number == "+33612345678"
    assert len(reasons) == 1
    assert "cannot parse" in reasons[0]


def test_first_valid_prefers_the_first_candidate():
    number, reasons = phones.first_valid(["06 12 34 56 78", "06 98 76 54 32"], "FR")
    assert number == "+33612345678"
    assert reasons == []


def test_first_valid_without_any_usable_number():
    assert phones.first_valid([None, "", False], "FR") == (None, ["no number"])
    assert phones.first_valid([], "FR") == (None, ["no number"])
    number, reasons = phones.first_valid(["abc", "12"], "FR")
    assert number is None
    assert len(reasons) == 2
    assert "cannot parse" in reasons[0]
    assert "not a valid number" in reasons[1]


def test_a_number_kept_as_typed_is_told_from_one_in_e164():
    assert phones.any_as_typed({"mobile": "06 12 34 56 78"})
    assert not phones.any_as_typed({"mobile": "+33612345678", "phone": False})
    assert not phones.any_as_typed({"email": "lea@example.com"})
