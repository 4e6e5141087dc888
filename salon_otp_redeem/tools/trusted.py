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
