# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Codes, entropy floor, keyed hashing: the ORM-free module on its own."""

import hmac
import math
import string
from unittest import mock

import pytest

from odoo.addons.salon_otp_redeem.tools import codes

LOOK_ALIKES = set("0O1IL2Z5S8B")


def test_numeric_code_has_the_effective_length_and_digits_only():
    for _ in range(200):
        code = codes.generate_code(6, codes.NUMERIC)
        assert len(code) == 6
        assert set(code) <= set(string.digits)


def test_alphanumeric_code_has_no_look_alikes_and_no_lower_case():
    assert not LOOK_ALIKES & set(codes.ALPHANUMERIC_ALPHABET)
    assert codes.ALPHANUMERIC_ALPHABET == codes.ALPHANUMERIC_ALPHABET.upper()
    assert len(set(codes.ALPHANUMERIC_ALPHABET)) == len(codes.ALPHANUMERIC_ALPHABET)
    seen = set()
    for _ in range(500):
        code = codes.generate_code(6, codes.ALPHANUMERIC)
        assert len(code) == 6
        assert set(code) <= set(codes.ALPHANUMERIC_ALPHABET)
        seen |= set(code)
    # 3000 draws over 25 symbols: every symbol shows up.
    assert seen == set(codes.ALPHANUMERIC_ALPHABET)


def test_codes_come_from_secrets_choice():
    calls = []

    def fake_choice(alphabet):
        calls.append(alphabet)
        return alphabet[-1]

    with mock.patch.object(codes.secrets, "choice", side_effect=fake_choice):
        assert codes.generate_code(6, codes.NUMERIC) == "999999"
        assert codes.generate_code(5, codes.ALPHANUMERIC) == "YYYYY"
    assert calls == [codes.NUMERIC_ALPHABET] * 6 + [codes.ALPHANUMERIC_ALPHABET] * 5


def test_codes_do_not_use_the_random_module():
    with (
        mock.patch(
            "random.choice", side_effect=AssertionError("random is not a CSPRNG")
        ),
        mock.patch(
            "random.randint", side_effect=AssertionError("random is not a CSPRNG")
        ),
    ):
        codes.generate_code(6, codes.NUMERIC)


def test_codes_are_not_repeated():
    drawn = {codes.generate_code(8, codes.NUMERIC) for _ in range(1000)}
    # 1000 draws in 10^8: a repeat has a probability of about 0.5%, two of 0.001%.
    assert len(drawn) >= 998


def test_unknown_alphabet_is_refused():
    with pytest.raises(ValueError, match="unknown code alphabet"):
        codes.generate_code(6, "hex")
    with pytest.raises(ValueError):
        codes.entropy_bits(6, "binary")


@pytest.mark.parametrize(
    ("asked", "kind", "expected"),
    [
        (4, codes.NUMERIC, 6),  # 13.3 bits: raised to six digits (19.93 bits)
        (5, codes.NUMERIC, 6),
        (6, codes.NUMERIC, 6),
        (8, codes.NUMERIC, 8),
        (1, codes.NUMERIC, 6),  # below MIN_LENGTH
        (99, codes.NUMERIC, 10),  # above MAX_LENGTH
        (4, codes.ALPHANUMERIC, 5),  # 18.6 bits -> 23.2 bits
        (5, codes.ALPHANUMERIC, 5),
        (10, codes.ALPHANUMERIC, 10),
        ("7", codes.NUMERIC, 7),
    ],
)
def test_effective_length_never_weakens(asked, kind, expected):
    length = codes.effective_length(asked, kind)
    assert length == expected
    assert codes.entropy_bits(length, kind) >= codes.MIN_ENTROPY_BITS
    assert codes.MIN_LENGTH <= length <= codes.MAX_LENGTH


def test_entropy_bits():
    assert codes.entropy_bits(6, codes.NUMERIC) == pytest.approx(6 * math.log2(10))
    assert codes.entropy_bits(5, codes.ALPHANUMERIC) == pytest.approx(5 * math.log2(25))
    assert codes.entropy_bits(6, codes.NUMERIC) >= codes.MIN_ENTROPY_BITS
    assert codes.entropy_bits(5, codes.NUMERIC) < codes.MIN_ENTROPY_BITS


def test_message_binds_the_code_to_one_challenge():
    assert codes.code_message(42, "123456") == "v1:42:123456"
    assert codes.code_message(42, "123456") != codes.code_message(43, "123456")
    assert codes.code_message(42, "123456") != codes.code_message(42, "123457")


def test_same_digest():
    digest = hmac.new(b"k" * 32, b"v1:7:482913", "sha256").hexdigest()
    assert codes.same_digest(digest, digest)
    assert not codes.same_digest(digest, digest[:-1] + "0")
    for empty in ("", None):
        assert not codes.same_digest(digest, empty)
        assert not codes.same_digest(empty, digest)


def test_same_digest_compares_in_constant_time():
    digest = hmac.new(b"k" * 32, b"v1:7:482913", "sha256").hexdigest()
    with mock.patch.object(
        codes.hmac, "compare_digest", wraps=hmac.compare_digest
    ) as compare:
        assert codes.same_digest(digest, digest)
        assert not codes.same_digest(digest, "0" * len(digest))
    assert compare.call_count == 2
    for call in compare.call_args_list:
        assert all(isinstance(arg, bytes) for arg in call.args)


def test_normalize_input():
    assert codes.normalize_input(" 482 913 ", codes.NUMERIC) == "482913"
    assert codes.normalize_input("482-913", codes.NUMERIC) == "482913"
    assert codes.normalize_input("48\t29\n13", codes.NUMERIC) == "482913"
    assert codes.normalize_input("ab3-c4d", codes.ALPHANUMERIC) == "AB3C4D"
    # Numeric codes are not upper-cased or otherwise changed.
    assert codes.normalize_input("abc", codes.NUMERIC) == "abc"
    for junk in (None, 123456, ["123456"], {"code": 1}, b"123456"):
        assert codes.normalize_input(junk, codes.NUMERIC) == ""
    assert codes.normalize_input("", codes.NUMERIC) == ""


def test_normalized_input_is_what_was_generated():
    code = codes.generate_code(6, codes.ALPHANUMERIC)
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    assert codes.normalize_input(typed, codes.ALPHANUMERIC) == code
