# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Why a challenge can no longer be answered, by its state.

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
