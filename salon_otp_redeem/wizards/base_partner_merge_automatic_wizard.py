# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import AccessError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """A merge moves every card of the merged contacts to the one kept.

    The loyalty module does it with sudo (and, for coupons, with SQL), so a
    cashier with Contact Creation could copy a guest's email onto an
    accomplice and merge the guest away, balances and all. Contacts holding
    cards other than gift cards are merged by Point of Sale managers only.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        if self.env.user._redeem_otp_is_cashier():
            cards = (
                self.env["loyalty.card"]
                .sudo()
                .with_context(active_test=False)
                .search_count(
                    [
                        ("partner_id", "in", list(partner_ids)),
                        ("program_id.program_type", "!=", "gift_card"),
                    ],
                    limit=1,
                )
            )
            if cards:
                raise AccessError(
                    self.env._(
                        "These contacts hold loyalty or prepaid balances: only a "
                        "Point of Sale manager can merge them."
                    )
                )
        return super()._merge(partner_ids, dst_partner, extra_checks)
