# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the back-office tests: users, dormant cards, override codes."""

from odoo import Command

from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError

from .otp_common import RedeemOtpOrderCase

# Letters, digits and a dash, as a manager may choose it (the routes' tests
# use digits).
OVERRIDE_CODE = "layla-2468"


class BackofficeCase(RedeemOtpOrderCase):
    @classmethod
    def _user(cls, login, groups, company=None, **extra):
        company = company or cls.company
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    **(
                        {}
                        if "partner_id" in extra
                        else {"email": f"{login}@example.com"}
                    ),
                    "groups_id": [
                        Command.set(
                            [cls.env.ref(g).id for g in groups]
                            + (
                                []
                                if "base.group_portal" in groups
                                else [cls.env.ref("base.group_user").id]
                            )
                        )
                    ],
                    "company_id": company.id,
                    "company_ids": [Command.set([company.id])],
                    **extra,
                }
            )
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._user(
            "bo_cashier", ["point_of_sale.group_pos_user", "base.group_partner_manager"]
        )
        cls.manager = cls._user("bo_manager", ["point_of_sale.group_pos_manager"])
        cls.other_company = cls.env["res.company"].create(
            {"name": "Other Salon", "currency_id": cls.company.currency_id.id}
        )

    # -- helpers -------------------------------------------------------
    def allow_override(self, limit=3):
        self.set_override_code(OVERRIDE_CODE, limit, manager=self.manager)

    def request_or_error(self, order_uuid, redemptions, partner=None, **kwargs):
        """Ask for a code as the route does; a refusal is a result, and what it wrote stays."""
        with self.mockSMSGateway(), self.mock_mail_gateway():
            try:
                return (
                    self.env["salon.otp.challenge"]
                    .sudo()
                    ._redeem_otp_request(
                        self.config,
                        partner or self.guest,
                        order_uuid,
                        redemptions,
                        **kwargs,
                    )
                )
            except RedeemOtpError as exc:
                return exc.to_json()

    def override(self, challenge, reason="Guest's phone is flat"):
        with self.mockSMSGateway(), self.mock_mail_gateway():
            return self.try_verify(
                challenge, override_code=OVERRIDE_CODE, reason=reason
            )

    def sms_numbers(self):
        return [sms["number"] for sms in self._sms]
