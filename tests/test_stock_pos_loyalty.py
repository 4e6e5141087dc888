# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own pos_loyalty tours, run with this addon installed.

With codes switched off the addon must change nothing a salon already relies
on. Gift cards are never protected, so their tours pass with codes on too.
"""

from odoo.tests import tagged

from odoo.addons.pos_loyalty.tests import test_frontend as stock_frontend

# Odoo skips these two itself unless pos_discount is installed, which this
# addon does not depend on; here a skipped tour counts as a failure.
NEEDS_POS_DISCOUNT = (
    "test_promotion_program_with_global_discount",
    "test_specific_product_discount_with_global_discount",
)
GIFT_CARD_TOURS = (
    "test_gift_card_program",
    "test_physical_gift_card_sale",
    "test_gift_card_price_no_tax",
    "test_gift_card_no_date",
    "test_points_awarded_giftcard",
)


@tagged("post_install", "-at_install")
class TestStockPosLoyaltyCodesOff(stock_frontend.TestUi):
    test_module = "salon_otp_redeem"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main_pos_config.company_id.redeem_otp_enabled = False


@tagged("post_install", "-at_install")
class TestStockGiftCardToursCodesOn(stock_frontend.TestUi):
    test_module = "salon_otp_redeem"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.main_pos_config.company_id
        company.redeem_otp_enabled = True
        cls.main_pos_config.redeem_otp_required = True


for _name in NEEDS_POS_DISCOUNT:
    setattr(TestStockPosLoyaltyCodesOff, _name, None)
for _name in dir(stock_frontend.TestUi):
    if _name.startswith("test_") and _name not in GIFT_CARD_TOURS:
        setattr(TestStockGiftCardToursCodesOn, _name, None)
