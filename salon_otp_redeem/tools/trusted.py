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


LOCKED_KEY = "salon_otp_locked"


class _Locked(frozenset):
    """Ids of code requests whose row lock this request holds; a Python object."""


def locked(records, ids):
    """`records` carrying the fact that this request row-locked the code
    requests `ids` (the sync, before stock saves its orders).

    The order's check would otherwise lock the same row a second time: one
    query for nothing, a row lock being held until the transaction ends.
    """
    return records.with_context(**{LOCKED_KEY: _Locked(ids)})


def locked_ids(env):
    value = env.context.get(LOCKED_KEY)
    return value if isinstance(value, _Locked) else frozenset()


VOUCHED_KEY = "salon_otp_vouched"


class _Vouched(dict):
    """{card id: when a code of the guest last vouched for it, or None}, as
    read under the cards' row lock in this request; a Python object."""


def vouched(records, last_uses):
    """`records` carrying what the cards' lock read of their last vouched
    use (`loyalty.card._redeem_otp_dormant` then reads only other cards)."""
    return records.with_context(**{VOUCHED_KEY: _Vouched(last_uses)})


def vouched_uses(env):
    value = env.context.get(VOUCHED_KEY)
    return value if isinstance(value, _Vouched) else {}


def own_defaults(model, defaults, names=None):
    """`defaults` (what `default_get` found) with `names` (None: every field)
    back to the model's own defaults.

    Every user may write their own `ir.default` rows (`ir.default.set` is a
    public method), and a call's context may carry `default_*` keys: both
    fill the fields a create leaves out, after the create's own checks of
    the values it was given, and `sudo()` keeps the user. A cashier could so
    have a code request born verified or with a thousand attempts, an order
    born holding credit to give back, a guest born a member. For the fields
    only the server sets, only the field's own default counts.
    """
    for name in set(defaults).intersection(model._fields if names is None else names):
        field = model._fields[name]
        if field.default:
            defaults[name] = field.convert_to_write(field.default(model), model)
        else:
            del defaults[name]
    return defaults


def field_defaults(model, names):
    """The fields' own defaults among `names`, and nothing else.

    For a model whose every field only the server sets: what `own_defaults`
    would leave of `default_get`, without reading the user's `ir.default`
    rows or the context's `default_*` keys first (each create of such a row
    would otherwise pay for looking up what is thrown away).
    """
    defaults = {}
    for name in names:
        field = model._fields.get(name)
        if field is not None and field.default:
            defaults[name] = field.convert_to_write(field.default(model), model)
    return defaults
