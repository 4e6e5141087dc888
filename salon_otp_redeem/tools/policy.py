# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Policy decisions that need no database: which programs are protected,
which channels, and what exactly a verified code authorizes."""

import hashlib
import json
import math
from datetime import date, timedelta

import pytz

CHANNELS = ("sms", "whatsapp", "email")
DEFAULT_CHANNEL_SEQUENCE = "sms,email"

# Balances that are the guest's money or earned value: protected unless the
# salon says otherwise. Campaign mechanics that anyone may use (promotions,
# discount codes, buy X get Y) are not.
PROTECTED_BY_DEFAULT = frozenset(
    {"loyalty", "ewallet", "coupons", "next_order_coupons"}
)
# A gift card is a bearer instrument: whoever holds it may spend it.
NEVER_PROTECTED = frozenset({"gift_card"})

POINTS_PRECISION = 2


def default_protection(program_type):
    return program_type in PROTECTED_BY_DEFAULT


def parse_channel_sequence(value):
    """`"sms, email"` -> `("sms", "email")`; raises ValueError on unknown or repeated channels."""
    if not value or not value.strip():
        raise ValueError("at least one channel is required")
    seen = []
    for raw in value.split(","):
        channel = raw.strip().lower()
        if not channel:
            continue
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        if channel in seen:
            raise ValueError(f"channel {channel!r} is listed twice")
        seen.append(channel)
    if not seen:
        raise ValueError("at least one channel is required")
    return tuple(seen)


def channel_order(sequence, preferred=None):
    """The company's order, with the cashier's chosen channel first when it is allowed."""
    order = list(sequence)
    if preferred and preferred in order:
        order.remove(preferred)
        order.insert(0, preferred)
    return tuple(order)


def normalize_redemptions(lines):
    """Sum points per (card, program), rounded, sorted: the canonical form a fingerprint hashes.

    `lines` are dicts with card_id (0 or None for programs without a card),
    program_id and points (the cost, positive).
    """
    totals = {}
    for line in lines:
        key = (int(line.get("card_id") or 0), int(line["program_id"]))
        totals[key] = totals.get(key, 0.0) + float(line.get("points") or 0.0)
    return tuple(
        (card, program, round(points, POINTS_PRECISION))
        for (card, program), points in sorted(totals.items())
        if round(points, POINTS_PRECISION) != 0
    )


def fingerprint(partner_id, order_uuid, redemptions):
    """Binds a code to one guest, one order and exactly these redemptions.

    Recomputed at sync from the order's own reward lines: a redemption that
    grew, moved to another card or another order no longer matches.
    """
    payload = {
        "partner": int(partner_id or 0),
        "order": str(order_uuid or ""),
        "lines": [list(item) for item in normalize_redemptions(redemptions)],
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


# ----------------------------------------------------------------------
# Back-office fraud rules: pure decisions, the ORM gathers the facts.
# ----------------------------------------------------------------------
DEFAULT_DORMANT_DAYS = 180
DEFAULT_DESTINATION_HOLD_HOURS = 24
DEFAULT_FAILED_SEND_ALERT = 3
DEFAULT_RETENTION_DAYS = 400
# A code lives ten minutes at most; a day later no hash is of any use.
CODE_HASH_RETENTION_HOURS = 24


def is_expired(expiration_date, today):
    """A card is spendable through its expiration date, as pos_loyalty reads it."""
    return bool(expiration_date) and expiration_date < today


def membership_covers(date_from, date_to, today):
    """Whether a membership line runs on `today`, read as stock's membership
    state reads it (no start: from always; no end: no day)."""
    return (date_from or date.min) <= today <= (date_to or date.min)


def last_activity(card_created, history_dates):
    """The latest of the card's creation and the dates of its activity.

    A card's write_date is not activity: any field write (even by a cashier,
    who may write cards) would wake a dormant card up.
    """
    dates = [d for d in (card_created, *history_dates) if d]
    return max(dates) if dates else None


def is_dormant(last_activity_at, now, dormant_days):
    """No activity for `dormant_days` days; 0 or less turns the rule off."""
    if not dormant_days or dormant_days <= 0 or not last_activity_at:
        return False
    return now - last_activity_at >= timedelta(days=dormant_days)


def below_minimum(amount, minimum):
    """Whether a redemption is small enough to skip the code; a minimum of 0 never skips."""
    if not minimum or minimum <= 0:
        return False
    return round(float(amount or 0.0), POINTS_PRECISION) < round(
        float(minimum), POINTS_PRECISION
    )


def within_hold(changed_at, now, hold_hours):
    """A contact change still under watch; 0 hours or less turns the guard off."""
    if not hold_hours or hold_hours <= 0 or not changed_at:
        return False
    return now - changed_at < timedelta(hours=hold_hours)


def failed_sends_alert(failed_in_last_hour, threshold):
    """Alert on the first failure past the threshold (more than N), once per crossing."""
    return threshold > 0 and failed_in_last_hour == threshold + 1


def override_limit_reached(used_today, daily_limit):
    """The override just used was the last one of the day's allowance."""
    return daily_limit > 0 and used_today == daily_limit


def retention_cutoff(now, days):
    """Oldest creation date to keep, or None to keep everything (0 days)."""
    if not days or days <= 0:
        return None
    return now - timedelta(days=days)


# ----------------------------------------------------------------------
# Money and points: what an order may take from, or give to, a card.
# ----------------------------------------------------------------------
# Programs whose rewards spend a card the guest holds.
CARD_PROGRAM_TYPES = frozenset(
    {"loyalty", "ewallet", "coupons", "next_order_coupons", "gift_card"}
)
EPSILON = 10**-POINTS_PRECISION
# Programs whose points are the order's own: pos_loyalty counts them afresh in
# each order and keeps none between orders (coupons are cards generated with
# their points, spent in the current order too, but kept until spent).
ORDER_POINTS_TYPES = frozenset({"promotion", "buy_x_get_y", "promo_code"})
# Order states in which an order is paid for, as point_of_sale has them.
PAID_STATES = ("paid", "done", "invoiced")


def reward_value(discount_mode, discount, points):
    """The money a reward line is worth by its reward's definition, or None.

    Only rewards that price each point (e-wallets, per-point discounts) say
    what points are worth; a fixed-cost reward is bound by its points and
    by the amount the guest approved.
    """
    if discount_mode != "per_point":
        return None
    return max(float(points or 0.0), 0.0) * float(discount or 0.0)


def claims(points, required_points):
    """How many whole times `points` pay for a reward (none for fewer points
    than it requires: a line of 0 points claims nothing, review 33)."""
    if not required_points or required_points <= 0:
        return 1
    return max(0, int(float(points or 0.0) / float(required_points) + 1e-9))


def discount_bound(mode, discount, max_amount, sales, times=1, points=0.0):
    """The most a discount reward takes from an order whose sales (what it
    applies to) come to `sales`, as pos_loyalty prices it: never more than
    those sales, whatever the mode (review 65: 10.00 off a service taken
    off a top-up, a per-point reward restricted to services taken off one).

    `percent` takes its share of the sales once claimed (points too few for
    one claim take nothing, review 35), `per_order` its fixed amount per
    claim, `per_point` what its `points` are worth (tax included, as the
    till reads it); each within the reward's cap when it has one. Any other
    mode: None.
    """
    sales = max(float(sales), 0.0)
    if mode == "percent":
        share = sales * float(discount or 0.0) / 100.0
        most = share if int(times) > 0 else 0.0
    elif mode == "per_order":
        most = float(discount or 0.0) * max(int(times), 0)
    elif mode == "per_point":
        most = float(discount or 0.0) * max(float(points or 0.0), 0.0)
    else:
        return None
    if max_amount and max_amount > 0:
        most = min(most, float(max_amount))
    return min(most, sales)


def stacked_percent_bound(percents, sales):
    """The most several percentages take together from `sales`: the till
    applies each to what the ones before it left (two 50% promotions take
    75%, not 100%, review 65), in whatever order."""
    left = 1.0
    for percent in percents:
        left *= 1.0 - min(max(float(percent or 0.0), 0.0), 100.0) / 100.0
    return max(float(sales), 0.0) * (1.0 - left)


def cheapest_base(sales, total):
    """The base of a "cheapest item" discount: one unit of the cheapest sale,
    as pos_loyalty chooses it, within the order's `total`.

    `sales` are (qty, value) pairs, tax included, a combo with its items. A
    unit is never worth more than its whole line: a hundredth of a pin priced
    300.00 a unit is a 3.00 sale, not a 300.00 one. Lines giving goods back
    (negative quantities) are no one's cheapest item.
    """
    units = [min(value / qty, value) for qty, value in sales if qty > 0]
    if not units:
        return 0.0
    return max(min(min(units), float(total)), 0.0)


def rounding_slack(rounding, priced_lines, globally, cash_rounding=0.0):
    """How far an order's lines may honestly add up past its total.

    Rounded per line, the lines are the total: one `rounding`. Rounded
    globally, each priced line may be half a unit off (lines of nothing buy
    no slack). Plus the center's cash rounding.
    """
    lines = priced_lines / 2.0 if globally else 0.0
    return float(rounding) * (1.0 + lines) + float(cash_rounding or 0.0)


def earn_bound(rules, lines, paid):
    """The most points an order's sale lines can earn under a program's rules.

    `rules` are dicts: mode (order | money | unit), amount (points per
    order, per unit of currency or per unit), product_ids (the set of
    product ids the rule counts, or None for any product) and the rule's
    minimum_amount and minimum_qty (and minimum_tax_excluded, read against
    the lines' price_excl). `lines` are dicts: product_id, qty, price (tax
    included) and price_excl of the order's sale lines (not reward lines),
    and a unit_price where a line's units are paid otherwise (a combo's own
    line, by its items);
    `paid` is the order's total (a rule's own `paid`, when given, bounds it
    further for that rule). This bounds, it does not compute, so the
    POS's own figure is always within it: a minimum is read against the
    sales tax included, before any discount (never less than what
    pos_loyalty reads), and a rule under it earns nothing (a 20.00 coupon
    for 100.00 spent is not minted by a 1.00 sale). Lines are netted per
    rule (a negative line cancels a positive one) and money never counts
    for more than was paid: an e-wallet top-up earns what was paid for it,
    a minimum is met by what the order paid (30 services cancelled down to
    10.00 by a negative line meet no 100.00 minimum), and units earn by
    their share of it. An order that pays nothing earns nothing per order,
    and units sold for nothing earn nothing per unit, nor meet a minimum
    quantity; where points are per order, nor stand for the rule's products.
    """
    order_paid = max(float(paid or 0.0), 0.0)
    total = 0.0
    for rule in rules:
        paid = order_paid
        valid = [
            line
            for line in lines
            if rule.get("product_ids") is None
            or line["product_id"] in rule["product_ids"]
        ]
        money = max(sum(float(line["price"]) for line in valid), 0.0)
        # A minimum "tax excluded" is read against the lines before tax, as
        # pos_loyalty reads it (review 45: 90.00 + 15% met a 100.00 minimum).
        least = money
        if rule.get("minimum_tax_excluded"):
            least = max(
                sum(float(line.get("price_excl", line["price"])) for line in valid),
                0.0,
            )
        # A minimum quantity counts the units paid for, as a unit rule earns
        # by them: five treatments at a cent are no five treatments (review
        # 62), nor four given with one paid (review 63). Points per unit of
        # money follow the money: there a minimum of one (stock's default)
        # is any sale, a single item deeply discounted included.
        minimum_qty = float(rule.get("minimum_qty") or 0.0)
        if rule.get("mode") == "money" and minimum_qty <= 1:
            units = max(sum(float(line["qty"]) for line in valid), 0.0)
        else:
            units = _charged_units(valid, money, paid)
        if (
            min(least, paid) < float(rule.get("minimum_amount") or 0.0)
            or units < minimum_qty
        ):
            continue
        # What earns may be less than what meets the minimum: a rule on any
        # product nets other programs' discounts, as pos_loyalty does (its
        # minimum does not).
        paid = min(paid, max(float(rule.get("paid", paid)), 0.0))
        amount = max(float(rule.get("amount") or 0.0), 0.0)
        mode = rule.get("mode")
        if mode == "order" and paid > 0:
            # A rule on products earns once one of them is paid for: the
            # rule's product given for nothing beside a paid pin earns
            # nothing (review 62).
            if (
                rule.get("product_ids") is None
                or _charged_units(valid, money, paid) > 0
            ):
                total += amount
        elif mode == "money":
            total += amount * min(money, paid)
        elif mode == "unit":
            total += amount * max(_charged_units(valid, money, paid), 0.0)
    return total


def _charged_units(valid, money, paid):
    """The units of a rule's lines paid for (`paid_units`), per product, all
    its lines together: thirty lines of a cent are one sale of thirty units
    for 0.30. Each product's money is scaled to what the order paid; a rule
    on a combo alone (its own line priced 0.00, paid by its items) by what
    the combo was charged."""
    if money <= 0:
        money = sum(max(float(line.get("unit_price", 0.0)), 0.0) for line in valid)
    scale = min(paid / money, 1.0) if money > 0 else 0.0
    sold = {}
    for line in valid:
        qty, price, _list = sold.get(line["product_id"], (0.0, 0.0, None))
        sold[line["product_id"]] = (
            qty + float(line["qty"]),
            price + float(line.get("unit_price", line["price"])) * scale,
            line.get("list_price"),
        )
    return sum(paid_units(*product) for product in sold.values())


def share(amount, part, whole):
    """`amount` in proportion to `part` of `whole`: none of it to all of it."""
    if amount <= 0 or whole <= 0:
        return 0.0
    return amount * min(max(part / whole, 0.0), 1.0)


def earned_back(gained, paid, refunded, kept_bound):
    """What a sale's refunds so far take back of the `gained` points its
    points call credited: their share of the money of the lines that earned
    (`refunded` of `paid`), and never less than what the lines kept cannot
    have earned (`kept_bound`, the rules' figure for them). Per order or per
    unit, money is no measure: a 60.00 service kept of an exchange that paid
    nothing keeps no visit's points, twenty pins given back of a service
    take their 200 unit points, not their 9% of the money (review 42)."""
    if gained <= 0:
        return 0.0
    return min(
        gained, max(share(gained, refunded, paid), gained - max(kept_bound, 0.0))
    )


def paid_units(qty, price, list_price=None):
    """The units of a product's sale that earn per unit.

    Units sold for nothing earn nothing: 300 services at 0.00 are no 300
    stamps, nor are 300 services for 0.01 in all. A unit sold at half its
    list price or more earns in full, as pos_loyalty counts it (a member's
    price, a discount of the day); below that the units that earn fall with
    the money: twice what was paid in list-priced units, rounded down, so
    that a unit earns only once half its price is paid (a ten-session
    package sold for 0.01 loads no session, review 45). A product with no
    list price (an open price) earns a unit for each whole unit of currency
    paid, up to its quantity. `qty` and `price` are
    the product's units and money on the order (a negative line cancels a
    positive one), `list_price` its price for one unit.
    """
    qty, price = float(qty), float(price)
    if qty <= 0:
        return qty
    if price < 0.005:
        return 0.0
    list_price = float(list_price or 0.0)
    if list_price <= 0:
        return min(qty, float(math.floor(round(price, 6))))
    return min(qty, float(math.floor(round(2 * price / list_price, 6))))


def day_start(tz, now):
    """Midnight of `now`'s day in time zone `tz` (pytz), as naive UTC.

    A salon's day starts at its own midnight, not the server's.
    """
    local_now = pytz.utc.localize(now).astimezone(tz)
    local_midnight = tz.localize(
        local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    )
    return local_midnight.astimezone(pytz.utc).replace(tzinfo=None)


def overspent(approved, taken):
    """The first (card, program) key whose money taken exceeds what the guest approved.

    Both are lists of redemption dicts (card_id, program_id, amount).
    Returns (taken, approved) amounts of that key, or None.
    """
    totals = {}
    for index, items in enumerate((approved, taken)):
        for item in items:
            key = (item.get("card_id") or 0, item["program_id"])
            sums = totals.setdefault(key, [0.0, 0.0])
            sums[index] += float(item.get("amount") or 0.0)
    for approved_amount, taken_amount in totals.values():
        if taken_amount - approved_amount > EPSILON * 10:
            return taken_amount, approved_amount
    return None
