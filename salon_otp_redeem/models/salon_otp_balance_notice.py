# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import policy, trusted
from ..tools.sender import RedeemOtpSender

BATCH = 200
# Notices go out at the cron workers' next wake after this (Odoo's wake at
# least every minute), those of a busy desk together: woken at each checkout,
# the workers would send them beside the till's next requests.
NOTICE_DELAY = timedelta(seconds=30)


class SalonOtpBalanceNotice(models.Model):
    """A balance notice owed to a guest, until the scheduled action sends it.

    The points call only records what was used (one insert); rendering the
    notice and queueing its SMS or email run after the POS's request has
    committed, so a checkout pays for none of it and a template or gateway
    problem never touches the order.
    """

    _name = "salon.otp.balance.notice"
    _description = "Balance notice to send"
    _order = "id"

    @api.model
    def default_get(self, fields_list):  # pylint: disable=method-required-super
        """Server-set fields take only their own defaults (`trusted.field_defaults`).

        No super(): nothing of what it finds (the user's `ir.default` rows,
        the context's `default_*` keys) would be kept.
        """
        return trusted.field_defaults(self, fields_list)

    order_id = fields.Many2one("pos.order", required=True, ondelete="cascade")
    card_id = fields.Many2one("loyalty.card", required=True, ondelete="cascade")
    points = fields.Float(required=True)

    @api.model
    def _redeem_otp_owe(self, order, used):
        """Owe the guest a notice of each protected card `order` took points
        from (`used`: {card: points})."""
        vals = [
            {"order_id": order.id, "card_id": card.id, "points": points}
            for card, points in used.items()
            # A renewed hold owes only what it takes beyond the first, to the cent.
            if points > policy.EPSILON / 2
            and card.sudo().program_id._redeem_otp_protected()
        ]
        if not vals:
            return
        # The notices and the cron's trigger (`_redeem_otp_wake`) in one
        # statement: a sync or points call pays one round trip for both.
        # Nothing reads a notice back in the request that owes it.
        now, uid = self.env.cr.now(), self.env.uid
        self.env.cr.execute(
            SQL(
                """WITH owed AS (
                       INSERT INTO salon_otp_balance_notice
                              (order_id, card_id, points,
                               create_uid, create_date, write_uid, write_date)
                       VALUES %s
                   )
                   INSERT INTO ir_cron_trigger
                          (cron_id, call_at, create_uid, create_date, write_uid, write_date)
                   VALUES (%s, %s, %s, %s, %s, %s)""",
                SQL(", ").join(
                    SQL(
                        "(%s, %s, %s, %s, %s, %s, %s)",
                        *(v["order_id"], v["card_id"], v["points"]),
                        *(uid, now, uid, now),
                    )
                    for v in vals
                ),
                self._redeem_otp_cron_id(),
                now + NOTICE_DELAY,
                *(uid, now, uid, now),
            )
        )

    @api.model
    def _redeem_otp_wake(self):
        """Have the notices' cron run within a minute (`NOTICE_DELAY`).

        The trigger is created as `ir.cron._trigger` would, without its read
        of the cron (found by its xmlid's cached id): that read only drops
        triggers due at once for a cron that is off, and this one is due
        later; an archived cron ignores it when it comes. No read, in a sync.
        """
        self.env["ir.cron.trigger"].sudo().create(
            {
                "cron_id": self._redeem_otp_cron_id(),
                "call_at": fields.Datetime.now() + NOTICE_DELAY,
            }
        )

    @api.model
    def _redeem_otp_cron_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "salon_otp_redeem.ir_cron_balance_notices"
        )

    @api.model
    def _cron_send_balance_notices(self):
        """Queue the notices owed, a batch at a time, in Odoo's SMS and mail queues."""
        notices = self.sudo().search([], limit=BATCH)
        sender = RedeemOtpSender(self.env)
        for order, owed in notices.grouped("order_id").items():
            sender._queue_balance_notices(
                order, {notice.card_id: notice.points for notice in owed}
            )
        notices.unlink()
        if len(notices) == BATCH:
            self._redeem_otp_wake()
