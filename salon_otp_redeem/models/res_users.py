# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api, models


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
