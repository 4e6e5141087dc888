# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Policy decisions that need no database: which programs are protected,
which channels, and what exactly a verified code authorizes."""

import hashlib
import json

CHANNELS = ("sms", "whatsapp", "email")
DEFAULT_CHANNEL_SEQUENCE = "sms,email"

# Balances that are the guest's money or earned value: protected unless the
# salon says otherwise. Campaign mechanics that anyone may use are not.
PROTECTED_BY_DEFAULT = frozenset(
    {"loyalty", "ewallet", "coupons", "next_order_coupons"}
)
UNPROTECTED_BY_DEFAULT = frozenset({"promotion", "promo_code", "buy_x_get_y"})
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
