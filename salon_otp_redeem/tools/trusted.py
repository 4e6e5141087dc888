# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A context mark that only the server's own code can set.

Whatever a client puts in `context` over JSON-RPC is plain data, so a flag
such as ``{"points_authorized": True}`` would be the cashier's to set. The
mark's value is a Python object that no JSON payload can produce, and it is
checked by identity.
"""

KEY = "salon_otp_trusted"
_MARK = object()


def mark(records):
    """`records` with the mark: what they write next is the server's own doing."""
    return records.with_context(**{KEY: _MARK})


def is_marked(env):
    return env.context.get(KEY) is _MARK


CHECKED_KEY = "salon_otp_checked"


class _Checked(frozenset):
    """Ids of orders the sync has just checked; a Python object, as the mark is."""


def checked(orders):
    """`orders` carrying the fact that the sync checked them a moment ago.

    Stock marks a synced order paid right after the check; that write need
    not run the same check a second time on the same lines.
    """
    return orders.with_context(**{CHECKED_KEY: _Checked(orders.ids)})


def checked_ids(env):
    value = env.context.get(CHECKED_KEY)
    return value if isinstance(value, _Checked) else frozenset()
