# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Why a challenge can no longer be answered, or cannot pay for an order.

The POS shows these messages as they are: the server translates them
(`env._`) in the cashier's language when it refuses.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# state -> (error code of the JSON routes, message)
CLOSED = {
    # Verified is final for verification: a repeated or retried call (or a
    # wrong code typed after it) must not count an attempt, lock the
    # authorization or spend an override.
    "verified": (
        "bad_request",
        _lt("This code was already verified; the order can be validated."),
    ),
    "expired": ("expired", _lt("The code has expired; send a new one.")),
    "superseded": (
        "superseded",
        _lt("A newer code was sent; this one no longer works."),
    ),
    "locked": ("locked", _lt("Too many wrong attempts; send a new code.")),
    "used": ("bad_request", _lt("This authorization was already used.")),
    "failed": ("send_failed", _lt("This code was never sent.")),
    "cancelled": ("bad_request", _lt("This authorization was cancelled.")),
}


def closed(state):
    """(error code, lazy message) when a challenge in `state` takes no answer, else None."""
    return CLOSED.get(state)


# Why a challenge cannot pay for the order being synced, in the order checked.
USED_ELSEWHERE = _lt("This authorization was already used for another order.")
NOT_VERIFIED = _lt("The guest's code was not verified (%(state)s).")
EXPIRED = _lt("The guest's authorization has expired; ask for a new code.")
OTHER_ORDER = _lt("The guest's code was given for another guest or order.")


def binding(state, same_order, expired, same_request):
    """The lazy message refusing to bind a challenge to an order, else None.

    None leaves only the order's lines to check against what the guest
    authorized: an authorization used by this very order is checked again
    as the order becomes paid. `same_request`: the guest, order and center
    are those the code was asked for. NOT_VERIFIED names the state as
    `%(state)s`.
    """
    if state == "used":
        return None if same_order else USED_ELSEWHERE
    if state != "verified":
        return NOT_VERIFIED
    if expired:
        return EXPIRED
    return None if same_request else OTHER_ORDER
