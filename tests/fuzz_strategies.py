# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the fuzz test (tests/test_fuzz.py) sends: how many payloads per
target, the garbage they are made of, and how a valid payload is mutated."""

import math

from hypothesis import HealthCheck
from hypothesis import strategies as st

from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError

# Payloads per target: 1,400 in all, two to three minutes on two cores.
EXAMPLES = {
    "challenge": 250,
    "verify": 170,
    "channels": 130,
    "sync_from_ui": 370,
    "confirm_coupon_programs": 480,
}

CLEAN_EXCEPTIONS = frozenset(
    {
        "odoo.exceptions.UserError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.AccessError",
        "odoo.exceptions.MissingError",
        "odoo.exceptions.AccessDenied",
        # The routes' error type is a UserError underneath (tools/errors.py).
        f"{RedeemOtpError.__module__}.{RedeemOtpError.__name__}",
    }
)

# What a server error's own log lines would add: the test records them itself.
MUTED_LOGGERS = (
    "odoo.http",
    "odoo.sql_db",
    "odoo.models",
    "odoo.models.unlink",
    "odoo.addons.point_of_sale.models.pos_order",
    "odoo.addons.pos_loyalty.models.pos_order",
    "odoo.addons.salon_otp_redeem",
)

FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "print_blob": False,
}

# -- generic garbage ---------------------------------------------------------
HUGE = [1e308, -1e308, 2**63, 2**63 - 1, -(2**63), 2**64, 2**31, 10**30, 10**400]
NON_FINITE = [math.nan, math.inf, -math.inf]
ODD_STRINGS = [
    "",
    " ",
    "1",
    "-1",
    "40",
    "-40",
    "1e308",
    "NaN",
    "Infinity",
    "null",
    "true",
    "0x1F",
    "\u0661\u0662",
    "'; DROP TABLE pos_order; --",
    "\x00",
    "a\x00b",
    "é" * 300,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, -40, 40, 5e-324, -0.0, *HUGE, *NON_FINITE]),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=12),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=6), children, max_size=3),
    ),
    max_leaves=6,
)
numbers = st.one_of(
    st.sampled_from(
        [0, 0.0, 0.01, 1, 39.99, 40, 40.0001, 150, 151, 1e9, 1e12, -40, -1]
        + HUGE
        + NON_FINITE
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["40", "-40", "NaN", "forty", "", None, True, [40], {"x": 1}]),
)
bad_ids = st.one_of(
    st.sampled_from([0, -1, -2, 999999999, 2**31, 2**63, -(2**63), 10**30, 10**400]),
    st.integers(),
    st.sampled_from(NON_FINITE + [1.5, "1", "", None, True, False, [1], {"id": 1}]),
)
extra_keys = st.dictionaries(
    st.text(alphabet="abcdefgh_", min_size=1, max_size=8), junk, max_size=2
)


def _mutated(base, field_values, max_changes=3, drop_weight=1, extras=True):
    """A copy of `base` with a few keys replaced, dropped, or added from garbage."""

    @st.composite
    def build(draw):
        out = dict(base)
        keys = draw(
            st.lists(
                st.sampled_from(sorted(field_values)),
                max_size=max_changes,
                unique=True,
            )
        )
        for key in keys:
            if draw(st.integers(0, 3 + drop_weight)) < drop_weight:
                out.pop(key, None)
            else:
                out[key] = draw(field_values[key])
        if extras and draw(st.integers(0, 9)) == 0:
            for key, value in draw(extra_keys).items():
                out.setdefault(key, value)
        return out

    return build()


# Stands for the fresh order uuid / verified challenge made for each example,
# when the example runs (strategies make no request).
FRESH = "__fresh__"


def _fill(order, order_uuid, challenge_id):
    order = dict(order)
    for key, value in list(order.items()):
        if value == FRESH:
            order[key] = (
                challenge_id if key == "redeem_otp_challenge_id" else order_uuid
            )
        elif key == "name" and value == f"Order {FRESH}":
            order[key] = f"Order {order_uuid}"
    return order


def _diff(base, value):
    """What a mutated payload changed in `base`, for the report."""
    if not (isinstance(base, dict) and isinstance(value, dict)):
        if isinstance(base, list) and isinstance(value, list):
            if len(base) == len(value):
                return [_diff(b, v) for b, v in zip(base, value, strict=True)]
        return value
    out = {}
    for key, item in value.items():
        if key not in base:
            out[key] = item
        elif repr(item) != repr(base[key]):
            out[key] = _diff(base[key], item)
    dropped = sorted(set(base) - set(value))
    if dropped:
        out["(dropped)"] = dropped
    return out


def _same(before, after):
    if isinstance(before, float) and isinstance(after, float):
        if math.isnan(before) or math.isnan(after):
            return math.isnan(before) and math.isnan(after)
        return abs(before - after) < 1e-6
    return before == after


def _short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
