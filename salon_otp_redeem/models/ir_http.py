# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
import logging

from odoo import api, models
from odoo.http import request
from odoo.modules.registry import Registry
from odoo.service.model import retrying

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _post_dispatch(cls, response):
        """Send a code the challenge route prepared once its answer is out.

        The route commits the challenge and answers the till at once; the
        gateway's time (hundreds of milliseconds to seconds for a real one)
        is spent after, by the same worker, as the response closes. Set here
        and not in the route, because only the response that is sent gets
        it: a transaction retried after a serialization failure dispatches
        again and makes a new response.
        """
        result = super()._post_dispatch(response)
        delivery = getattr(request, "redeem_otp_delivery", None)
        if delivery:
            request.redeem_otp_delivery = None
            response.call_on_close(
                functools.partial(_deliver_after_response, request.db, *delivery)
            )
        return result


def _deliver_after_response(dbname, uid, context, code_id, preferred):
    """One transaction of its own: the request's is committed and closed."""
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, uid, context, su=True)
            code = env["salon.otp.code"].browse(code_id)
            retrying(
                functools.partial(code._redeem_otp_deliver_pending, preferred), env
            )
    except Exception:
        # Never the code in a log: it lives only inside the send.
        _logger.exception(
            "Redemption code %s: the send after the response failed", code_id
        )
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, uid, context, su=True)
            env["salon.otp.code"].browse(code_id)._redeem_otp_delivery_crashed()
