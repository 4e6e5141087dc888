# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

TODO_TYPE = "mail.mail_activity_data_todo"

# Who may give a guest a membership (members-only benefits become spendable):
# whoever sells memberships, never the till.
MEMBERSHIP_MANAGERS = (
    "point_of_sale.group_pos_manager",
    "account.group_account_manager",
    "base.group_system",
)


class ResUsers(models.Model):
    _inherit = "res.users"

    # The guards below ask who the real user is, never whether the
    # environment is sudo: stock pos_loyalty writes cards, history and lines
    # under sudo() on the cashier's behalf, so `env.su` (and so
    # `env.is_superuser()`) is true exactly where the cashier must be checked.

    def _redeem_otp_is_manager(self):
        """May change protection settings and balances outside a redemption."""
        self.ensure_one()
        return self.id == SUPERUSER_ID or self.has_group(
            "point_of_sale.group_pos_manager"
        )

    def _redeem_otp_is_cashier(self):
        """A POS user without manager rights: the one the locks are for.

        Back-office users without Point of Sale rights (accounting, sales)
        keep the rights Odoo gives them.
        """
        self.ensure_one()
        return not self._redeem_otp_is_manager() and self.has_group(
            "point_of_sale.group_pos_user"
        )

    def _redeem_otp_is_membership_manager(self):
        self.ensure_one()
        return self.id == SUPERUSER_ID or any(
            self.has_group(group) for group in MEMBERSHIP_MANAGERS
        )

    def _redeem_otp_check_membership_manager(self):
        """Raise unless this user may give a guest a membership.

        The one rule for a partner's membership fields and for the
        membership lines its state is computed from.
        """
        if self._redeem_otp_is_membership_manager():
            return
        raise AccessError(
            self.env._(
                "Only Point of Sale managers and accounting administrators can "
                "give a guest a membership."
            )
        )

    @api.model
    def _redeem_otp_managers(self, company):
        """The Point of Sale managers of `company`, who receive the alerts."""
        group = self.env.ref("point_of_sale.group_pos_manager")
        return self.sudo().search(
            [
                ("groups_id", "in", group.id),
                ("company_ids", "in", company.id),
                ("share", "=", False),
            ]
        )

    @api.model
    def _redeem_otp_alert(self, challenge, summary, note):
        """One to-do per POS manager of the challenge's company, on the challenge.

        An alert never undoes what raised it: it is logged, and the managers
        find it in their activities and on the authorization itself.
        """
        _logger.warning(
            "Redemption alert on challenge %s (POS %s): %s",
            challenge.id,
            challenge.pos_config_id.id,
            summary,
        )
        return self._redeem_otp_alert_on(challenge, challenge.company_id, summary, note)

    @api.model
    def _redeem_otp_alert_on(self, record, company, summary, note):
        """One to-do per POS manager of `company`, on `record`."""
        managers = self._redeem_otp_managers(company)
        # Made by the system, not in the cashier's name: stock lets an
        # activity's creator rewrite it, move it to another record or delete it.
        # Nor with the cashier's context: `mail_activity_automation_skip`
        # makes activity_schedule a no-op (review 32).
        system = record.with_env(
            record.env(
                user=SUPERUSER_ID, context={"lang": self.env.context.get("lang")}
            )
        )
        for user in managers:
            system.activity_schedule(
                TODO_TYPE, summary=summary, note=note, user_id=user.id
            )
        return managers
