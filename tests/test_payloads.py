# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the POS sends, parsed with no database: numbers, ids, coupon data."""

import math

import pytest

from odoo.addons.salon_otp_redeem.tools import payloads, policy


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, "1", None, True, [1], {"a": 1}, 1e10]
)
def test_number_refuses_what_is_not_a_finite_bounded_number(value):
    with pytest.raises(payloads.PayloadError):
        payloads.number(value)


def test_number_keeps_finite_numbers_and_checks_the_minimum():
    assert payloads.number(3) == 3.0
    assert payloads.number(-2.5) == -2.5
    with pytest.raises(payloads.PayloadError, match="below"):
        payloads.number(-1, minimum=0.0)


def test_record_id_accepts_digit_strings_and_temporary_negative_ids():
    assert payloads.record_id("12") == 12
    assert payloads.record_id(-1732549000123, negative=True) == -1732549000123
    for bad in (-1, 2**31, 1.5, "x", True, None):
        with pytest.raises(payloads.PayloadError):
            payloads.record_id(bad)


def test_coupon_changes_refuses_non_finite_points_and_foreign_shapes():
    good = {"12": {"points": -10.0, "program_id": 3, "line_codes": ["a"]}}
    assert payloads.coupon_changes(good) == {12: -10.0}
    for bad in (
        [],
        {"12": []},
        {"0": {"points": 1, "program_id": 3}},
        {"12": {"points": math.nan, "program_id": 3}},
        {"12": {"points": 1, "program_id": "x"}},
        {"12": {"points": 1, "program_id": 3, "giftCardId": -4}},
        {"12": {"points": 1, "program_id": 3, "line_codes": "abc"}},
        {"12": {"points": 1, "program_id": 3, "code": 5}},
    ):
        with pytest.raises(payloads.PayloadError):
            payloads.coupon_changes(bad)


def test_coupon_changes_write_ids_back_as_numbers():
    """Stock searches cards by the partner_id it reads: text would be searched
    as a name (review 51), so what stock reads is what the server checked."""
    data = {
        "-1": {
            "points": 5,
            "program_id": "3",
            "partner_id": "990001",
            "coupon_id": "-1",
            "giftCardId": False,
        },
        "12": {"points": -10.0, "program_id": 3},
    }
    assert payloads.coupon_changes(data) == {-1: 5, 12: -10.0}
    assert data["-1"] == {
        "points": 5,
        "program_id": 3,
        "partner_id": 990001,
        "coupon_id": -1,
        "giftCardId": False,
    }
    assert data["12"] == {"points": -10.0, "program_id": 3}


def test_redemptions_are_checked_item_by_item():
    parsed = payloads.redemptions(
        [{"card_id": 4, "program_id": 2, "points": 10, "amount": 10}]
    )
    assert parsed == [{"card_id": 4, "program_id": 2, "points": 10.0, "amount": 10.0}]
    for bad in (
        [],
        [{"card_id": 4}],
        [{"program_id": 2, "points": -1}],
        [{"program_id": 2, "points": math.inf}],
        [{"program_id": 2, "amount": "1"}],
        ["x"],
        [{"program_id": 2}] * 51,
    ):
        with pytest.raises(payloads.PayloadError):
            payloads.redemptions(bad)


def test_redemptions_of_one_card_and_program_are_added_up():
    parsed = payloads.redemptions(
        [
            {"card_id": 7, "program_id": 2, "points": 0.01, "amount": 0.01},
            {"card_id": 8, "program_id": 2, "points": 5.0, "amount": 5.0},
            {"card_id": 7, "program_id": 2, "points": 120.0, "amount": 120.0},
        ]
    )
    assert parsed == [
        {"card_id": 7, "program_id": 2, "points": 120.01, "amount": 120.01},
        {"card_id": 8, "program_id": 2, "points": 5.0, "amount": 5.0},
    ]


def test_order_numbers_checks_lines_and_payments():
    order = {
        "session_id": 3,
        "amount_total": 10.0,
        "lines": [[0, 0, {"qty": 1, "price_unit": 10.0, "coupon_id": -5}]],
        "payment_ids": [[0, 0, {"amount": 10.0}]],
    }
    payloads.order_numbers(order)
    # What the POS really sends besides: deletions, links, clear, set.
    payloads.order_numbers(
        dict(order, lines=[*order["lines"], [2, 7], [3, 8], [4, 9], [5], [6, 0, [1]]])
    )
    order["lines"][0][2]["points_cost"] = math.nan
    with pytest.raises(payloads.PayloadError):
        payloads.order_numbers(order)
    for bad in (
        {"session_id": 3, "lines": ["garbage"]},
        {"session_id": 3, "lines": True},
        {"session_id": 3, "lines": [[True, 10**300]]},
        {"session_id": 3, "lines": [[0, 0]]},
        {"session_id": 3, "lines": [[1, 2, 3, 4]]},
        {"session_id": {"id": 3}},
        {"lines": []},
        {"session_id": 3, "state": 1},
        {"session_id": 3, "partner_id": {"id": 1}},
        {"session_id": 3, "amount_tax": 10**400},
    ):
        with pytest.raises(payloads.PayloadError):
            payloads.order_numbers(bad)


def test_ids_named_reads_every_command_on_a_saved_line_or_payment():
    commands = [
        [0, 0, {"qty": 1}],
        [1, 7, {"qty": 2}],
        [2, 8],
        [3, "9"],
        [4, 10],
        [5],
        [6, 0, [11, 12]],
    ]
    order = {"session_id": 3, "lines": commands, "payment_ids": [[4, 21]]}
    payloads.order_numbers(order)
    assert payloads.ids_named(order, "lines") == {7, 8, 9, 10, 11, 12}
    assert payloads.ids_named(order, "payment_ids") == {21}
    assert payloads.ids_named({"session_id": 3}, "lines") == set()
    for bad in ([[2]], [[1, -4, {}]], [[4, "x"]], [[6, 0, 5]], [[6, 0, [True]]], [7]):
        for field in ("lines", "payment_ids"):
            with pytest.raises(payloads.PayloadError):
                payloads.order_numbers({"session_id": 3, field: bad})


def test_reward_value_prices_points_only_for_per_point_rewards():
    assert policy.reward_value("per_point", 0.5, 40) == 20.0
    assert policy.reward_value("per_point", 1.0, -3) == 0.0
    assert policy.reward_value("percent", 10, 40) is None
    assert policy.reward_value("per_order", 5, 40) is None


def test_earn_bound_sums_every_rule_on_its_products():
    lines = [
        {"product_id": 1, "qty": 2, "price": 30.0},
        {"product_id": 2, "qty": 1, "price": 50.0},
    ]
    rules = [
        {"mode": "money", "amount": 1.0, "product_ids": {2}},
        {"mode": "unit", "amount": 3.0, "product_ids": None},
        {"mode": "order", "amount": 5.0, "product_ids": {9}},
        {"mode": "order", "amount": 7.0, "product_ids": None},
    ]
    assert policy.earn_bound(rules, lines, paid=80.0) == 50.0 + 9.0 + 0.0 + 7.0


def test_earn_bound_reads_the_rules_minimums():
    coupon = {"mode": "order", "amount": 1.0, "product_ids": None}
    spent_100 = dict(coupon, minimum_amount=100.0)
    pin = [{"product_id": 1, "qty": 1, "price": 1.0}]
    assert policy.earn_bound([spent_100], pin, paid=1.0) == 0.0
    big = [{"product_id": 1, "qty": 1, "price": 120.0}]
    assert policy.earn_bound([spent_100], big, paid=120.0) == 1.0
    three_items = dict(coupon, minimum_qty=3)
    assert policy.earn_bound([three_items], pin, paid=1.0) == 0.0
    assert (
        policy.earn_bound([three_items], [dict(pin[0], qty=3, price=3.0)], paid=3.0)
        == 1.0
    )


def test_earn_bound_gives_nothing_for_nothing():
    stamps = [{"mode": "unit", "amount": 1.0, "product_ids": {1}}]
    free = [{"product_id": 1, "qty": 300, "price": 0.0}]
    assert policy.earn_bound(stamps, free, paid=0.0) == 0.0
    paid = dict(free[0], price=30.0, list_price=0.1)
    assert policy.earn_bound(stamps, [paid], paid=30.0) == 300.0
    visit = [{"mode": "order", "amount": 1.0, "product_ids": None}]
    assert policy.earn_bound(visit, free, paid=0.0) == 0.0
    assert policy.earn_bound(visit, free, paid=5.0) == 1.0


def test_units_earn_in_full_at_half_their_price_and_fall_below():
    # 300 services for a cent in all (list price 40.00 each): no stamp; a
    # package for a cent, no session.
    assert policy.paid_units(300, 0.01, 40.0) == 0.0
    assert policy.paid_units(1, 0.01, 270.0) == 0.0
    assert policy.paid_units(1, 134.99, 270.0) == 0.0
    # A member's price, half price: every unit earns, as the POS counts.
    assert policy.paid_units(10, 200.0, 40.0) == 10.0
    assert policy.paid_units(3, 96.0, 40.0) == 3.0
    # A tenth of the price: twice the list-priced units paid, rounded down.
    assert policy.paid_units(10, 40.0, 40.0) == 2.0
    assert policy.paid_units(10, 59.0, 40.0) == 2.0
    assert policy.paid_units(10, 0.0, 40.0) == 0.0
    # No list price (an open price): a unit per whole unit of currency.
    assert policy.paid_units(5, 50.0, 0.0) == 5.0
    assert policy.paid_units(30, 0.30, 0.0) == 0.0
    assert policy.paid_units(-2, -80.0, 40.0) == -2.0
    stamps = [{"mode": "unit", "amount": 1.0, "product_ids": {1}}]
    cent = [{"product_id": 1, "qty": 300, "price": 0.01, "list_price": 40.0}]
    assert policy.earn_bound(stamps, cent, paid=0.01) == 0.0
    # Thirty lines of a cent are one sale of thirty units for 0.30.
    one = {"product_id": 1, "qty": 1, "price": 0.01, "list_price": 40.0}
    assert policy.earn_bound(stamps, [one] * 30, paid=0.30) == 0.0
    assert policy.earn_bound(stamps, [dict(one, price=20.0)] * 30, paid=600.0) == 30.0


def test_earn_bound_reads_rules_against_what_the_order_paid():
    # 30 services at 200.00 cancelled down to 10.00 by another product's line.
    stamps = [{"mode": "unit", "amount": 1.0, "product_ids": {1}}]
    services = [{"product_id": 1, "qty": 30, "price": 6000.0, "list_price": 200.0}]
    assert policy.earn_bound(stamps, services, paid=10.0) == 0.0
    assert policy.earn_bound(stamps, services, paid=100.0) == 1.0
    assert policy.earn_bound(stamps, services, paid=6000.0) == 30.0
    # A 100.00 minimum on services is not met by an order that paid 0.01.
    coupon = [{"mode": "order", "amount": 1.0, "product_ids": {1}}]
    coupon[0]["minimum_amount"] = 100.0
    one = [{"product_id": 1, "qty": 1, "price": 200.0, "list_price": 200.0}]
    assert policy.earn_bound(coupon, one, paid=0.01) == 0.0
    assert policy.earn_bound(coupon, one, paid=200.0) == 1.0


def test_earn_bound_nets_lines_and_never_exceeds_what_was_paid():
    top_up = [{"mode": "money", "amount": 1.0, "product_ids": {1}}]
    bought = [{"product_id": 1, "qty": 1, "price": 30.0}]
    assert policy.earn_bound(top_up, bought, paid=30.0) == 30.0
    # A top-up of 1000 cancelled by a line of -1000: nothing paid, nothing earned.
    netted = [
        {"product_id": 1, "qty": 1, "price": 1000.0},
        {"product_id": 2, "qty": 1, "price": -1000.0},
    ]
    assert policy.earn_bound(top_up, netted, paid=0.0) == 0.0
    minus = [
        {"product_id": 1, "qty": 1, "price": 1000.0},
        {"product_id": 1, "qty": -1, "price": -1000.0},
    ]
    assert policy.earn_bound(top_up, minus, paid=0.0) == 0.0
    any_money = [{"mode": "money", "amount": 1.0, "product_ids": None}]
    assert policy.earn_bound(any_money, netted, paid=0.0) == 0.0


def test_decision_lines_read_sales_and_rewards():
    parsed = payloads.decision_lines(
        [
            {"product_id": 5, "qty": 2, "price": 40.0},
            {"reward_id": 7, "card_id": -3, "points": 10, "price": -10.0},
        ]
    )
    assert parsed == [
        {
            "price": 40.0,
            "price_subtotal": 40.0,
            "product_id": 5,
            "qty": 2.0,
            "combo_parent": None,
        },
        {
            "price": -10.0,
            "price_subtotal": -10.0,
            "reward_id": 7,
            "card_id": 0,
            "points": 10.0,
        },
    ]
    for bad in (None, [1], [{"reward_id": "x"}], [{"product_id": 5, "qty": math.nan}]):
        with pytest.raises(payloads.PayloadError):
            payloads.decision_lines(bad)


def test_combo_items_name_an_earlier_sale_line():
    menu = {"product_id": 5, "qty": 1, "price": 0.0}
    item = {"product_id": 6, "qty": 1, "price": 30.0, "combo_parent": 0}
    reward = {"reward_id": 7, "points": 1, "price": -3.0}
    lines = payloads.decision_lines([menu, reward, item, dict(item, combo_parent=-1)])
    assert [line.get("combo_parent") for line in lines] == [None, None, 0, None]
    # Positions among the copy's lines, sales first.
    assert payloads.combo_links(lines) == [(1, 0)]
    for bad in (
        [item],  # no earlier line
        [reward, dict(item, combo_parent=0)],  # a reward line is no combo
        [menu, dict(item, combo_parent=0), dict(item, combo_parent=1)],  # nested
        [menu, dict(item, combo_parent="0")],
        [menu, dict(item, combo_parent=True)],
    ):
        with pytest.raises(payloads.PayloadError):
            payloads.decision_lines(bad)


def test_gift_card_ids_are_the_cards_sold_as_gift_cards():
    data = {
        "-1": {"giftCardId": 7, "points": 50},
        "12": {"points": -5},
        "-2": {"giftCardId": "9"},
        "junk": "not a dict",
    }
    assert payloads.gift_card_ids(data) == {7, 9}
    assert payloads.gift_card_ids({}) == set()
    assert payloads.gift_card_ids(None) == set()


def _fields_of(model):
    """A small stand-in of the ORM's fields: which write through, which are lists."""
    return {
        "pos.order": ({"config_id", "picking_type_id"}, {"lines": "pos.order.line"}),
        "pos.order.line": (set(), {"pack_lot_ids": "pos.pack.operation.lot"}),
        "pos.pack.operation.lot": ({"order_id", "product_id"}, {}),
    }[model]


def test_written_through_names_every_depth():
    order = {
        "session_id": 1,
        "config_id": 2,
        "lines": [
            [0, 0, {"qty": 1, "pack_lot_ids": [[0, 0, {"lot_name": "A"}]]}],
            [1, 7, {"pack_lot_ids": [[0, 0, {"lot_name": "B", "order_id": 9}]]}],
            [4, 8],
            "not a command",
        ],
    }
    assert payloads.written_through(order, _fields_of, "pos.order") == [
        "config_id",
        "lines.pack_lot_ids.order_id",
    ]


def test_written_through_is_empty_for_what_the_pos_sends():
    order = {
        "session_id": 1,
        "lines": [[0, 0, {"qty": 1, "pack_lot_ids": [[0, 0, {"lot_name": "A"}]]}]],
        "payment_ids": [[0, 0, {"amount": 1.0}]],
    }
    assert payloads.written_through(order, _fields_of, "pos.order") == []


def test_links_only_accepts_links_to_what_is_held():
    assert payloads.links_only(None, ())
    assert payloads.links_only([], ())
    assert payloads.links_only([[4, 3], (4, 5)], [3, 5])


@pytest.mark.parametrize(
    "commands",
    [
        [[4, 9]],
        [[6, 0, [3]]],
        [[0, 0, {"name": "x"}]],
        [[1, 3, {"name": "x"}]],
        [[3, 3]],
        [[5]],
        [[4, 3, 0]],
        [4, 3],
        "4,3",
        {"4": 3},
    ],
)
def test_links_only_refuses_every_other_command(commands):
    assert not payloads.links_only(commands, [3, 5])
