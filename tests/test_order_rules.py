# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rules of orders and points calls that need no database (tools/policy, tools/payloads)."""

from datetime import datetime

import pytest
import pytz

from odoo.addons.salon_otp_redeem.tools import payloads, policy


@pytest.mark.parametrize(
    ("tz", "now", "midnight"),
    [
        # Paris in winter (UTC+1): 00:30 UTC is already 01:30 local.
        ("Europe/Paris", datetime(2026, 1, 15, 0, 30), datetime(2026, 1, 14, 23, 0)),
        # 23:30 UTC is the next local day.
        ("Europe/Paris", datetime(2026, 1, 15, 23, 30), datetime(2026, 1, 15, 23, 0)),
        # Summer time (UTC+2).
        ("Europe/Paris", datetime(2026, 7, 1, 12, 0), datetime(2026, 6, 30, 22, 0)),
        # West of UTC: the local day starts after UTC's.
        ("America/New_York", datetime(2026, 1, 15, 3, 0), datetime(2026, 1, 14, 5, 0)),
        ("UTC", datetime(2026, 1, 15, 3, 0), datetime(2026, 1, 15, 0, 0)),
    ],
)
def test_day_start_is_the_salons_midnight_in_utc(tz, now, midnight):
    assert policy.day_start(pytz.timezone(tz), now) == midnight


def test_day_start_on_the_night_clocks_change():
    paris = pytz.timezone("Europe/Paris")
    # 2026-03-29: 02:00 local becomes 03:00; midnight was still UTC+1.
    assert policy.day_start(paris, datetime(2026, 3, 29, 10, 0)) == datetime(
        2026, 3, 28, 23, 0
    )


APPROVED = [
    {"card_id": 11, "program_id": 3, "points": 40.0, "amount": 40.0},
    {"card_id": 0, "program_id": 5, "points": 1.0, "amount": 10.0},
]


@pytest.mark.parametrize(
    "taken",
    [
        APPROVED,
        [],
        # Split lines that add up to the approved amount.
        [
            {"card_id": 11, "program_id": 3, "amount": 15.0},
            {"card_id": 11, "program_id": 3, "amount": 25.0},
        ],
        # Less than approved, and a hair above (rounding).
        [{"card_id": 11, "program_id": 3, "amount": 39.0}],
        [{"card_id": 11, "program_id": 3, "amount": 40.0 + policy.EPSILON}],
        # No card and card 0 are the same key.
        [{"card_id": None, "program_id": 5, "amount": 10.0}],
    ],
)
def test_overspent_accepts_what_the_guest_approved(taken):
    assert policy.overspent(APPROVED, taken) is None


@pytest.mark.parametrize(
    ("taken", "excess"),
    [
        ([{"card_id": 11, "program_id": 3, "amount": 41.0}], (41.0, 40.0)),
        (
            [
                {"card_id": 11, "program_id": 3, "amount": 30.0},
                {"card_id": 11, "program_id": 3, "amount": 30.0},
            ],
            (60.0, 40.0),
        ),
        # Approved on one card, taken on another: nothing was approved there.
        ([{"card_id": 12, "program_id": 3, "amount": 5.0}], (5.0, 0.0)),
        ([{"card_id": 11, "program_id": 4, "amount": 5.0}], (5.0, 0.0)),
    ],
)
def test_overspent_names_the_excess(taken, excess):
    assert policy.overspent(APPROVED, taken) == excess


def test_cards_named_reads_keys_gift_cards_and_guests():
    data = {
        "12": {"points": -5},
        "-3": {"points": 10, "partner_id": 7},
        "-4": {"points": 50, "giftCardId": 99},
    }
    assert payloads.cards_named(data) == ({12, 99}, {7})
    assert payloads.cards_named({}) == (set(), set())


MOVED = {12: -20.0, 13: 5.0}
ALLOWANCE = {12: 20.0}


def test_history_items_keep_the_servers_numbers():
    data = [
        # The POS claims more spent and won than really moved.
        {"card_id": 12, "spent": 500, "won": 999},
        {"card_id": -1, "spent": 0, "won": 77},
    ]
    updates = [{"old_id": -1, "id": 13}]
    assert payloads.history_items(data, updates, MOVED, ALLOWANCE, []) == [
        {"card_id": "12", "won": 0.0, "spent": 20.0},
        {"card_id": "13", "won": 5.0, "spent": 0.0},
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        [None, 3, "card"],
        [{"card_id": "x"}],
        [{"card_id": 12, "spent": float("nan")}],
        [{"card_id": 12, "spent": -5}],
        # A card the call did not move, and one that already has its row.
        [{"card_id": 14, "spent": 1}],
        [{"card_id": 13, "spent": 0}],
    ],
)
def test_history_items_drop_what_cannot_be_written(data):
    assert payloads.history_items(data, "junk", MOVED, ALLOWANCE, [13]) == []


def test_history_items_one_row_per_card():
    data = [{"card_id": 12, "spent": 5}, {"card_id": 12, "spent": 5}]
    rows = payloads.history_items(data, [], MOVED, ALLOWANCE, [])
    assert [row["card_id"] for row in rows] == ["12"]


def test_order_copy_lines_split_sales_and_rewards():
    lines = payloads.decision_lines(
        [
            {"product_id": 4, "qty": 2, "price": 100.0, "price_subtotal": 80.0},
            {"reward_id": 9, "card_id": 12, "points": 50, "price": -50.0},
            {"reward_id": 9, "card_id": -3, "points": 5, "price": -5.0},
        ]
    )
    commands = payloads.order_copy_lines(lines)
    assert [command[0] for command in commands] == [0, 0, 0]
    sale, reward, new_card = (command[2] for command in commands)
    assert sale == {
        "product_id": 4,
        "qty": 2.0,
        "price_unit": 50.0,
        "price_subtotal": 80.0,
        "price_subtotal_incl": 100.0,
    }
    assert reward["reward_id"] == 9
    assert reward["is_reward_line"] is True
    assert reward["coupon_id"] == 12
    assert reward["points_cost"] == 50.0
    assert reward["price_subtotal_incl"] == -50.0
    # A card the order creates is no card yet.
    assert new_card["coupon_id"] is False


def test_per_card_reads_what_the_server_stored():
    assert payloads.per_card('{"12": 20, "7": -1.5}') == {12: 20.0, 7: -1.5}
    assert payloads.per_card(False) == {}
    assert payloads.per_card("") == {}


@pytest.mark.parametrize(
    ("mode", "discount", "cap", "sales", "times", "most"),
    [
        # 10% of a 300.00 order: 30.00, whatever the line the POS sends.
        ("percent", 10.0, 0.0, 300.0, 1, 30.0),
        ("percent", 10.0, 20.0, 300.0, 1, 20.0),  # within the reward's cap
        ("percent", 10.0, 0.0, -50.0, 1, 0.0),  # nothing sold, nothing off
        ("per_order", 15.0, 0.0, 300.0, 1, 15.0),
        ("per_order", 15.0, 0.0, 300.0, 3, 45.0),  # claimed three times
        ("per_order", 15.0, 40.0, 300.0, 3, 40.0),
        # Never more than what it applies to (review 65).
        ("per_order", 10.0, 0.0, 0.0, 1, 0.0),
        ("per_order", 10.0, 0.0, 1.0, 1, 1.0),
        ("free_shipping", 1.0, 0.0, 300.0, 1, None),
    ],
)
def test_discount_bound(mode, discount, cap, sales, times, most):
    assert policy.discount_bound(mode, discount, cap, sales, times) == most


def test_discount_bound_per_point_within_its_cap_and_base():
    # 1000 points at 0.05: 50.00, within a 10.00 cap; within what it applies to.
    assert policy.discount_bound("per_point", 0.05, 0.0, 2000.0, points=1000) == 50.0
    assert policy.discount_bound("per_point", 0.05, 10.0, 2000.0, points=1000) == 10.0
    assert policy.discount_bound("per_point", 0.05, 0.0, 1.0, points=1000) == 1.0
    assert policy.discount_bound("per_point", 0.05, 0.0, 0.0, points=1000) == 0.0


def test_stacked_percentages_take_what_the_ones_before_left():
    assert policy.stacked_percent_bound([50.0, 50.0], 100.0) == 75.0
    assert policy.stacked_percent_bound([10.0], 200.0) == pytest.approx(20.0)
    assert policy.stacked_percent_bound([10.0, 20.0], 100.0) == pytest.approx(28.0)
    assert policy.stacked_percent_bound([150.0, 50.0], 100.0) == 100.0
    assert policy.stacked_percent_bound([50.0], -10.0) == 0.0


@pytest.mark.parametrize(
    ("points", "required", "times"),
    # Whole claims only: fewer points than required claim nothing (review 33).
    [
        (200.0, 200.0, 1),
        (600.0, 200.0, 3),
        (0.0, 200.0, 0),
        (199.0, 200.0, 0),
        (5.0, 0.0, 1),
    ],
)
def test_claims(points, required, times):
    assert policy.claims(points, required) == times


@pytest.mark.parametrize(
    "sales, total, base",
    [
        # One unit of the cheapest sale, whatever its quantity.
        ([(2, 60.0), (1, 300.0)], 360.0, 30.0),
        # A hundredth of a pin at 300.00 a unit is a 3.00 sale.
        ([(0.01, 3.0), (1, 300.0)], 303.0, 3.0),
        # Goods given back are no one's cheapest item.
        ([(-1, -3000.0), (1, 3000.0), (1, 300.0)], 300.0, 300.0),
        # Within the order's total; nothing sold, nothing to discount.
        ([(1, 50.0)], 20.0, 20.0),
        ([], 100.0, 0.0),
        ([(1, -5.0)], 0.0, 0.0),
    ],
)
def test_cheapest_base(sales, total, base):
    assert policy.cheapest_base(sales, total) == pytest.approx(base)


def test_rounding_slack_grows_only_with_priced_lines_rounded_globally():
    assert policy.rounding_slack(0.01, 300, globally=False) == pytest.approx(0.01)
    assert policy.rounding_slack(0.01, 4, globally=True) == pytest.approx(0.03)
    assert policy.rounding_slack(0.01, 0, True, 0.05) == pytest.approx(0.06)
