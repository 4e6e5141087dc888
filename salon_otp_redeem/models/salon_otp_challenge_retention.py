# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..tools import policy

_logger = logging.getLogger(__name__)

# Rows deleted per batch, so that one vacuum never holds long locks.
UNLINK_BATCH = 1000


class SalonOtpChallenge(models.Model):
    """Retention of the audit trail, run by Odoo's daily autovacuum.

    Code hashes of finished challenges are erased after a day (a code lives
    ten minutes at most, so an old hash only helps an offline guess), and
    whole challenges after the company's `redeem_otp_retention_days`. The
    previous contact values kept for the destination-change guard are
    blanked once their watch is over.
    """

    _inherit = "salon.otp.challenge"

    @api.autovacuum
    def _gc_redeem_otp_challenges(self):
        now = fields.Datetime.now()
        self._gc_redeem_otp_code_hashes(now)
        self._gc_redeem_otp_old_challenges(now)
        self._gc_redeem_otp_destination_changes(now)

    @api.model
    def _gc_redeem_otp_code_hashes(self, now):
        """Erase the hashes of challenges created more than a day ago.

        Such a challenge is finished whatever its state column says: expiry is
        lazy (a pending challenge turns 'expired' only when next touched) and a
        code lives ten minutes at most. Finished challenges lose their hash at
        once already (`_redeem_otp_finish`); this catches the abandoned ones.
        """
        cutoff = now - timedelta(hours=policy.CODE_HASH_RETENTION_HOURS)
        self.env.cr.execute(
            """
            UPDATE salon_otp_challenge
               SET code_hash = NULL
             WHERE code_hash IS NOT NULL
               AND create_date < %s
            """,
            [cutoff],
        )
        if self.env.cr.rowcount:
            _logger.info("Erased %s redemption code hashes", self.env.cr.rowcount)

    @api.model
    def _gc_redeem_otp_old_challenges(self, now):
        Challenge = self.sudo().with_context(active_test=False)
        for company in self.env["res.company"].sudo().search([]):
            cutoff = policy.retention_cutoff(now, company.redeem_otp_retention_days)
            if not cutoff:
                continue
            domain = [("company_id", "=", company.id), ("create_date", "<", cutoff)]
            while True:
                old = Challenge.search(domain, limit=UNLINK_BATCH, order="id")
                if not old:
                    break
                old.unlink()
                _logger.info(
                    "Deleted %s redemption authorizations of company %s older than %s days",
                    len(old),
                    company.id,
                    company.redeem_otp_retention_days,
                )
                if len(old) < UNLINK_BATCH:
                    break

    @api.model
    def _gc_redeem_otp_destination_changes(self, now):
        Change = self.env["salon.otp.destination.change"].sudo()
        for company in self.env["res.company"].sudo().search([]):
            hold = company.redeem_otp_destination_hold_hours
            # Clear text only as long as the guard may need it.
            self.env.cr.execute(
                """
                UPDATE salon_otp_destination_change
                   SET old_value = NULL
                 WHERE old_value IS NOT NULL
                   AND (company_id = %s OR company_id IS NULL)
                   AND create_date < %s
                """,
                [company.id, now - timedelta(hours=max(hold, 0))],
            )
            cutoff = policy.retention_cutoff(now, company.redeem_otp_retention_days)
            if cutoff:
                Change.search(
                    [("company_id", "=", company.id), ("create_date", "<", cutoff)]
                ).unlink()
        Change.invalidate_model(["old_value"])
