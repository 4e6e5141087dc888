# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One-time codes: generation, keyed hashing and constant-time checking.

Kept free of the ORM so that the cryptography can be read and tested on its
own, as Odoo does for TOTP (auth_totp/models/totp.py).
"""

import hmac
import secrets

NUMERIC = "numeric"
ALPHANUMERIC = "alphanumeric"

# Digits only: what a guest can read out over a noisy front desk.
NUMERIC_ALPHABET = "0123456789"
# Upper case without the look-alikes 0/O, 1/I/L, 2/Z, 5/S, 8/B.
ALPHANUMERIC_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"

ALPHABETS = {NUMERIC: NUMERIC_ALPHABET, ALPHANUMERIC: ALPHANUMERIC_ALPHABET}

MIN_LENGTH = 4
MAX_LENGTH = 10
# NIST SP 800-63B asks for 20 bits; its own example, six decimal digits, has 19.93.
MIN_ENTROPY_BITS = 19.9

HASH_VERSION = "v1"


def alphabet_for(kind):
    try:
        return ALPHABETS[kind]
    except KeyError:
        raise ValueError(f"unknown code alphabet {kind!r}") from None


def entropy_bits(length, kind):
    import math

    return length * math.log2(len(alphabet_for(kind)))


def effective_length(length, kind):
    """The shortest length that still gives MIN_ENTROPY_BITS.

    Four digits are only 13 bits: a company that asks for them still gets a
    code strong enough for NIST, so the setting is a floor, never a weakening.
    """
    length = max(MIN_LENGTH, min(MAX_LENGTH, int(length)))
    while entropy_bits(length, kind) < MIN_ENTROPY_BITS and length < MAX_LENGTH:
        length += 1
    return length


def generate_code(length, kind):
    alphabet = alphabet_for(kind)
    return "".join(
        secrets.choice(alphabet) for _ in range(effective_length(length, kind))
    )


def normalize_input(code, kind):
    """What the cashier typed, as the generator would have written it.

    Spaces and dashes are what people add when reading a code out; case does
    not matter for the alphanumeric alphabet, which has upper case only.
    """
    if not isinstance(code, str):
        return ""
    cleaned = "".join(ch for ch in code if not ch.isspace() and ch != "-")
    return cleaned.upper() if kind == ALPHANUMERIC else cleaned


# Odoo's `tools.misc.hmac` keys the hash with the database secret; the scope
# keeps these digests apart from every other HMAC Odoo makes with it.
HMAC_SCOPE = "salon_otp_redeem.code"


def code_message(code_id, code):
    """What is hashed: the code bound to the row of the one send it came from.

    Binding the row's id means a hash copied onto another row is worthless;
    the database secret (the HMAC key) means a leaked table alone cannot be
    brute-forced offline over the small code space.
    """
    return f"{HASH_VERSION}:{int(code_id)}:{code}"


def same_digest(expected, stored):
    """Constant-time comparison; nothing stored or nothing typed never matches."""
    if not expected or not stored:
        return False
    return hmac.compare_digest(expected.encode(), stored.encode())
