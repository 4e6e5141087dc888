# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a refusal may say of the records it names.

The checks read as the server does, and a payload picks the ids they read:
a refusal naming a record (a card's code, balance or expiry, a program, a
guest, an order) would tell a cashier of one company what only another's
staff may read; a gift card's code is all it takes to spend it (review 53).
A refusal names a record once the acting user may read it, and otherwise
says only that. Asked on the way to a refusal: a call that passes pays no
query for it.
"""

from odoo.exceptions import AccessError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

NOT_YOURS = {
    "loyalty.card": _lt("You may not use this card here."),
    "loyalty.program": _lt("You may not use this program here."),
    "res.partner": _lt("You may not serve this guest here."),
    "pos.order": _lt("You may not change this order here."),
}


def check_may_name(*recordsets):
    """Raise an AccessError, naming nothing, unless the acting user may read
    every record of `recordsets` (sudo or not: the user is the env's)."""
    for records in recordsets:
        env = records.env(su=False)
        try:
            records.with_env(env).check_access("read")
        except AccessError:
            # Not Odoo's message: in debug mode it lists the records by name.
            raise AccessError(env._(NOT_YOURS[records._name])) from None
