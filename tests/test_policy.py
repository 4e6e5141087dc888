# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Channels, protection defaults and the fingerprint that binds a code to a redemption."""

from datetime import date

import pytest

from odoo.addons.salon_otp_redeem.tools import policy


def test_parse_channel_sequence():
    assert policy.parse_channel_sequence("sms,email") == ("sms", "email")
    assert policy.parse_channel_sequence(" SMS , WhatsApp ,email ") == (
        "sms",
        "whatsapp",
        "email",
    )
    assert policy.parse_channel_sequence("email,,sms,") == ("email", "sms")
    assert policy.parse_channel_sequence(policy.DEFAULT_CHANNEL_SEQUENCE) == (
        "sms",
        "email",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "at least one channel"),
        (None, "at least one channel"),
        (False, "at least one channel"),
        ("   ", "at least one channel"),
        (",,", "at least one channel"),
        ("sms,fax", "unknown channel 'fax'"),
        ("telegram", "unknown channel"),
        ("sms,email,SMS", "listed twice"),
        ("sms;email", "unknown channel"),
    ],
)
def test_parse_channel_sequence_errors(value, message):
    with pytest.raises(ValueError, match=message):
        policy.parse_channel_sequence(value)


def test_channel_order():
    sequence = ("sms", "whatsapp", "email")
    assert policy.channel_order(sequence) == sequence
    assert policy.channel_order(sequence, "email") == ("email", "sms", "whatsapp")
    assert policy.channel_order(sequence, "sms") == sequence
    # A channel the company does not allow is never added by the cashier's choice.
    assert policy.channel_order(("sms", "email"), "whatsapp") == ("sms", "email")
    assert policy.channel_order(("sms", "email"), None) == ("sms", "email")


def test_default_protection():
    for program_type in ("loyalty", "ewallet", "coupons", "next_order_coupons"):
        assert policy.default_protection(program_type)
    for program_type in ("promotion", "promo_code", "buy_x_get_y", "gift_card"):
        assert not policy.default_protection(program_type)
    assert not policy.PROTECTED_BY_DEFAULT & policy.NEVER_PROTECTED


def test_normalize_redemptions_sums_sorts_and_rounds():
    lines = [
        {"card_id": 9, "program_id": 2, "points": 10.004},
        {"card_id": 3, "program_id": 1, "points": 5},
        {"card_id": 9, "program_id": 2, "points": "2.5"},
        {"card_id": None, "program_id": 4, "points": 1},
        {"card_id": 0, "program_id": 4, "points": 2},
        {"card_id": 5, "program_id": 1, "points": 0},  # nothing spent: left out
        {"card_id": 6, "program_id": 1},
    ]
    assert policy.normalize_redemptions(lines) == (
        (0, 4, 3.0),
        (3, 1, 5.0),
        (9, 2, 12.5),
    )


def test_normalize_redemptions_ignores_line_order():
    lines = [
        {"card_id": 1, "program_id": 1, "points": 10},
        {"card_id": 2, "program_id": 2, "points": 20},
    ]
    assert policy.normalize_redemptions(lines) == policy.normalize_redemptions(
        lines[::-1]
    )


def test_normalize_redemptions_needs_a_program():
    with pytest.raises(KeyError):
        policy.normalize_redemptions([{"card_id": 1, "points": 1}])


BASE = [{"card_id": 11, "program_id": 3, "points": 40.0}]


def test_fingerprint_is_stable():
    first = policy.fingerprint(5, "uuid-1", BASE)
    assert first == policy.fingerprint(5, "uuid-1", [dict(BASE[0])])
    assert len(first) == 64
    # Split lines with the same total are the same redemption.
    split = [
        {"card_id": 11, "program_id": 3, "points": 15.0},
        {"card_id": 11, "program_id": 3, "points": 25.0},
    ]
    assert policy.fingerprint(5, "uuid-1", split) == first
    # Below the precision, nothing changed.
    tiny = [{"card_id": 11, "program_id": 3, "points": 40.001}]
    assert policy.fingerprint(5, "uuid-1", tiny) == first


@pytest.mark.parametrize(
    ("partner", "order", "lines"),
    [
        (
            5,
            "uuid-1",
            [{"card_id": 11, "program_id": 3, "points": 40.01}],
        ),  # points grow
        (5, "uuid-1", [{"card_id": 11, "program_id": 3, "points": 90.0}]),
        (5, "uuid-1", [{"card_id": 11, "program_id": 3, "points": 39.0}]),  # or shrink
        (
            5,
            "uuid-1",
            [{"card_id": 12, "program_id": 3, "points": 40.0}],
        ),  # another card
        (
            5,
            "uuid-1",
            [{"card_id": 11, "program_id": 4, "points": 40.0}],
        ),  # another program
        (5, "uuid-2", BASE),  # another order
        (6, "uuid-1", BASE),  # another guest
        (
            5,
            "uuid-1",
            [*BASE, {"card_id": 12, "program_id": 4, "points": 1.0}],
        ),  # one more
        (5, "uuid-1", []),
    ],
)
def test_fingerprint_changes_with_the_redemption(partner, order, lines):
    assert policy.fingerprint(partner, order, lines) != policy.fingerprint(
        5, "uuid-1", BASE
    )


@pytest.mark.parametrize(
    ("gained", "paid", "refunded", "kept_bound", "back"),
    [
        # Money rules: the refunded share, whatever the rules say of the rest.
        (100.0, 100.0, 40.0, 60.0, 40.0),
        # A visit's points kept of an exchange that paid nothing: all back.
        (50.0, -40.0, 60.0, 0.0, 50.0),
        # Twenty unit pins given back of a 200.00 service: their 200 points.
        (210.0, 220.0, 20.0, 10.0, 200.0),
        # One service of two refunded, 50 a visit: the visit stays earned.
        (50.0, 200.0, 100.0, 50.0, 25.0),
        # Never more than was gained, nothing of nothing.
        (30.0, 10.0, 50.0, -5.0, 30.0),
        (0.0, 100.0, 100.0, 0.0, 0.0),
    ],
)
def test_earned_back(gained, paid, refunded, kept_bound, back):
    assert policy.earned_back(gained, paid, refunded, kept_bound) == pytest.approx(back)


def test_earn_bound_rule_paid_nets_discounts_but_not_the_minimum():
    lines = [{"product_id": 1, "qty": 1, "price": 200.0}]
    rule = {"mode": "money", "amount": 1.0, "product_ids": None, "minimum_amount": 200}
    assert policy.earn_bound([rule], lines, paid=200.0) == 200.0
    # A 10% promotion: 180 earns, and the 200.00 minimum is still met.
    assert policy.earn_bound([{**rule, "paid": 180.0}], lines, paid=200.0) == 180.0
    # A rule's own figure never raises the order's.
    assert policy.earn_bound([{**rule, "paid": 900.0}], lines, paid=200.0) == 200.0


def test_a_minimum_quantity_and_a_rules_product_count_units_paid_for():
    """Review 62: five treatments at a cent met a five-treatment minimum, and
    the rule's product given for nothing beside a pin earned its coupon."""
    coupon = {"mode": "order", "amount": 1.0, "product_ids": {1}}
    five = dict(coupon, minimum_qty=5)
    cents = [{"product_id": 1, "qty": 5, "price": 0.05, "list_price": 200.0}]
    assert policy.earn_bound([five], cents, paid=0.05) == 0.0
    paid = [dict(cents[0], price=1000.0)]
    assert policy.earn_bound([five], paid, paid=1000.0) == 1.0
    # Half price still earns in full, as pos_loyalty counts it.
    assert policy.earn_bound([five], [dict(cents[0], price=500.0)], paid=500.0) == 1.0
    given = [
        {"product_id": 1, "qty": 1, "price": 0.0, "list_price": 80.0},
        {"product_id": 2, "qty": 1, "price": 1.0, "list_price": 1.0},
    ]
    assert policy.earn_bound([coupon], given, paid=1.0) == 0.0
    sold = [dict(given[0], price=80.0), given[1]]
    assert policy.earn_bound([coupon], sold, paid=81.0) == 1.0
    # A rule on any product is the visit: anything paid for earns it.
    visit = dict(coupon, product_ids=None)
    assert policy.earn_bound([visit], given, paid=1.0) == 1.0
    # Per unit of money, four treatments given beside one paid meet no
    # five-treatment minimum (review 63); a minimum of one is any sale.
    spent = dict(five, mode="money")
    one_and_four = [
        dict(cents[0], qty=1, price=200.0),
        dict(cents[0], qty=4, price=0.0),
    ]
    assert policy.earn_bound([spent], one_and_four, paid=200.0) == 0.0
    assert policy.earn_bound([spent], paid, paid=1000.0) == 1000.0
    any_sale = dict(spent, minimum_qty=1)
    assert (
        policy.earn_bound([any_sale], [dict(cents[0], qty=1, price=60.0)], paid=60.0)
        == 60.0
    )


def test_a_combo_line_is_a_unit_paid_by_its_items():
    stamps = [{"mode": "unit", "amount": 1.0, "product_ids": None}]
    menu = {"product_id": 1, "qty": 1, "price": 0.0, "list_price": 100.0}
    items = [
        {"product_id": 2, "qty": 1, "price": 75.0, "list_price": 90.0},
        {"product_id": 3, "qty": 1, "price": 25.0, "list_price": 30.0},
    ]
    assert policy.earn_bound(stamps, [menu, *items], paid=100.0) == 2.0
    paid_menu = dict(menu, unit_price=100.0)
    assert policy.earn_bound(stamps, [paid_menu, *items], paid=100.0) == 3.0
    # A rule on the combo alone: its line is priced 0.00, its items pay it.
    coupon = [{"mode": "order", "amount": 1.0, "product_ids": {1}, "minimum_qty": 1}]
    assert policy.earn_bound(coupon, [paid_menu, *items], paid=100.0) == 1.0
    # ... as far as the order paid for it: a pin of -90.00 beside it.
    assert policy.earn_bound(coupon, [paid_menu, *items], paid=10.0) == 0.0


@pytest.mark.parametrize(
    ("date_from", "date_to", "covers"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), True),
        (date(2026, 6, 15), date(2026, 6, 15), True),
        (date(2026, 1, 1), date(2026, 6, 14), False),  # ended yesterday
        (date(2026, 6, 16), date(2026, 12, 31), False),  # starts tomorrow
        (None, date(2026, 12, 31), True),
        (date(2026, 1, 1), None, False),  # stock reads no end as no day
    ],
)
def test_membership_covers_reads_the_lines_days(date_from, date_to, covers):
    assert policy.membership_covers(date_from, date_to, date(2026, 6, 15)) is covers
