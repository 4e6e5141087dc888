# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Phone numbers to E.164, or a reason why not.

phone_validation's helpers return the input unchanged when they cannot
parse it; for a one-time code that would mean texting a wrong number, so
this module says clearly when a number is unusable.
"""

import phonenumbers


class InvalidPhone(ValueError):
    """The number cannot receive a code; the message says why, for the audit."""


def to_e164(number, country_code=None):
    if not number or not str(number).strip():
        raise InvalidPhone("no number")
    region = (country_code or "").upper() or None
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"cannot parse the number ({exc})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("not a valid number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def e164_or_none(number, country_code=None):
    try:
        return to_e164(number, country_code)
    except InvalidPhone:
        return None


def first_valid(candidates, country_code=None):
    """The first number of `candidates` that normalizes, and the reasons for the others."""
    reasons = []
    for number in candidates:
        if not number:
            continue
        try:
            return to_e164(number, country_code), reasons
        except InvalidPhone as exc:
            reasons.append(str(exc))
    return None, reasons or ["no number"]


def any_as_typed(values):
    """Whether a number among `values` ({field: value}, email aside) was kept as
    typed rather than in E.164: a country-less guest's, that each salon reads
    with its own country."""
    return any(
        value and not value.startswith("+")
        for field, value in values.items()
        if field != "email"
    )
