# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """A merge moves every card of the merged contacts to the one kept.

    The loyalty module does it with sudo (and, for coupons, with SQL), so a
    cashier with Contact Creation could copy a guest's email onto an
    accomplice and merge the guest away, balances and all (membership lines
    move in SQL too). Contacts holding cards other than gift cards, or a
    membership, are merged by Point of Sale managers only.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        self.env["res.partner"].browse(partner_ids)._redeem_otp_check_holders(
            self.env._(
                "These contacts hold loyalty or prepaid balances or a membership: "
                "only a Point of Sale manager can merge them."
            )
        )
        return super()._merge(partner_ids, dst_partner, extra_checks)
