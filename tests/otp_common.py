# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared set-up: a salon's programs and guests, orders built as the POS builds them."""

import re
import uuid as uuid_lib
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.point_of_sale.tests.common import TestPoSCommon
from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError
from odoo.addons.sms.tests.common import MockSMS

CODE_RE = re.compile(r": ([0-9A-Z]{4,10}) is your code")


def make_dormant(env, card, days=200):
    """Backdate the card and its history: no activity for `days` days."""
    then = fields.Datetime.now() - timedelta(days=days)
    env.flush_all()
    env.cr.execute(
        "UPDATE loyalty_card SET create_date = %s WHERE id = %s", [then, card.id]
    )
    env.cr.execute(
        "UPDATE loyalty_history SET create_date = %s WHERE card_id = %s",
        [then, card.id],
    )
    env.invalidate_all()


class SalonSetupMixin:
    """Programs of every kind with a card each for one guest."""

    @classmethod
    def _program(cls, name, program_type, **extra):
        defaults = cls.env["loyalty.program"]._program_type_default_values()[
            program_type
        ]
        vals = {"name": name, "program_type": program_type, **defaults, **extra}
        for command in vals.get("rule_ids", []):
            if len(command) == 3 and isinstance(command[2], dict):
                products = command[2].get("product_ids")
                if products is not None and hasattr(products, "ids"):
                    command[2]["product_ids"] = [Command.set(products.ids)]
        return cls.env["loyalty.program"].create(vals)

    @classmethod
    def _setup_salon(cls, company):
        env = cls.env
        company.write(
            {
                "redeem_otp_enabled": True,
                "redeem_otp_channel_sequence": "sms,email",
                "redeem_otp_resend_seconds": 30,
            }
        )
        france = env.ref("base.fr")
        cls.guest = env["res.partner"].create(
            {
                "name": "Camille Martin",
                "mobile": "+33 6 12 34 56 78",
                "email": "camille.martin@example.com",
                "country_id": france.id,
            }
        )
        cls.other_guest = env["res.partner"].create(
            {"name": "Oliver Bennett", "email": "oliver.bennett@example.com"}
        )
        cls.nobody = env["res.partner"].create({"name": "No Contact"})
        cls.ewallet = cls._program("Client credit", "ewallet")
        cls.loyalty = cls._program("Salon Loyalty", "loyalty")
        cls.coupons = cls._program("Spring colour campaign", "coupons")
        cls.next_order = cls._program("Come back soon", "next_order_coupons")
        cls.promotion = cls._program("Happy hour", "promotion")
        cls.gift_card = cls._program("Gift cards", "gift_card")
        cls.gift_card.pos_report_print_id = env.ref("loyalty.report_gift_card")
        Card = env["loyalty.card"]
        cls.ewallet_card = Card.create(
            {"program_id": cls.ewallet.id, "partner_id": cls.guest.id, "points": 150.0}
        )
        cls.loyalty_card = Card.create(
            {"program_id": cls.loyalty.id, "partner_id": cls.guest.id, "points": 500.0}
        )
        cls.coupon_card = Card.create(
            {"program_id": cls.coupons.id, "partner_id": cls.guest.id, "points": 1.0}
        )
        cls.next_order_card = Card.create(
            {"program_id": cls.next_order.id, "partner_id": cls.guest.id, "points": 1.0}
        )
        cls.gift_card_card = Card.create(
            {"program_id": cls.gift_card.id, "points": 50.0}
        )


@tagged("post_install", "-at_install")
class RedeemOtpOrderCase(SalonSetupMixin, TestPoSCommon, MockSMS, MockEmail):
    """Orders through `sync_from_ui` and `confirm_coupon_programs`, as the POS sends them."""

    test_module = "salon_otp_redeem"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls._setup_salon(cls.company)
        cls.service = cls.create_product("Haircut", cls.categ_basic, 200.0)

    def setUp(self):
        super().setUp()
        self.open_new_session()

    # -- challenges ----------------------------------------------------
    def request_code(
        self, order_uuid, redemptions, partner=None, config=None, **kwargs
    ):
        """Ask for a code as the route does, and return (challenge, code read from the SMS)."""
        with self.mockSMSGateway():
            challenge = (
                self.env["salon.otp.challenge"]
                .sudo()
                ._redeem_otp_request(
                    config or self.config,
                    partner or self.guest,
                    order_uuid,
                    redemptions,
                    **kwargs,
                )
            )
        return challenge, self.last_code()

    def last_code(self):
        self.assertTrue(self._sms, "no SMS was sent")
        match = CODE_RE.search(self._sms[-1]["body"])
        self.assertTrue(match, "no code in the SMS body")
        return match.group(1)

    def try_verify(self, challenge, **kwargs):
        """Verify as the route does: an error is a result, and what it counted stays."""
        try:
            return challenge._redeem_otp_verify(**kwargs)
        except RedeemOtpError as exc:
            return exc.to_json()

    @contextmanager
    def assertRefused(self, pattern):
        """The sync or RPC is refused and, as in a real request, nothing it did is kept."""
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            yield caught
        self.env.invalidate_all()
        self.assertRegex(str(caught.exception), pattern)

    def verified_challenge(self, order_uuid, redemptions, **kwargs):
        challenge, code = self.request_code(order_uuid, redemptions, **kwargs)
        challenge._redeem_otp_verify(code=code)
        self.assertEqual(challenge.state, "verified")
        return challenge

    # -- orders --------------------------------------------------------
    def reward_line(self, card, points, amount=None, program=None):
        program = program or card.program_id
        reward = program.reward_ids[:1]
        product = reward.discount_line_product_id or reward.reward_product_id
        amount = points if amount is None else amount
        return {
            "product": product,
            "quantity": 1,
            "discount": 0.0,
            "price_unit": -amount,
            "is_reward_line": True,
            "reward_id": reward.id,
            "coupon_id": card.id if card else False,
            "points_cost": points,
            "reward_identifier_code": f"r{reward.id}-{card.id if card else 0}",
        }

    def order_data(self, lines, partner=None, challenge=None, uuid=None, state=None):
        line_args = []
        for line in lines:
            if isinstance(line, dict):
                line = dict(line)
                price = line.pop("price_unit")
                line_args.append((line, price))
            else:
                line_args.append((line, None))
        data = self.create_ui_order_data(
            [arg for arg, _price in line_args],
            customer=partner or self.guest,
            uuid=uuid,
        )
        for (_arg, price), command in zip(line_args, data["lines"], strict=True):
            vals = command[2]
            vals.pop("product", None)
            if price is not None:
                vals.update(
                    price_unit=price,
                    price_subtotal=price,
                    price_subtotal_incl=price,
                    tax_ids=[(6, 0, [])],
                )
        total = sum(command[2]["price_subtotal_incl"] for command in data["lines"])
        data["amount_total"] = total
        data["amount_tax"] = 0.0
        data["amount_paid"] = total
        data["payment_ids"][0][2]["amount"] = total
        data["access_token"] = uuid_lib.uuid4().hex
        if challenge:
            data["redeem_otp_challenge_id"] = challenge.id
        if state:
            data["state"] = state
        return data

    def sync(self, data):
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def confirm(self, order, card, points):
        """What pos_loyalty's `_postProcessLoyalty` sends for one card."""
        reward_codes = order.lines.filtered(lambda line: line.coupon_id == card).mapped(
            "reward_identifier_code"
        )
        return order.confirm_coupon_programs(
            {
                str(card.id): {
                    "points": -points,
                    "program_id": card.program_id.id,
                    "coupon_id": card.id,
                    "barcode": False,
                    "line_codes": reward_codes,
                }
            }
        )

    @staticmethod
    def redemption(card, points, amount=None, program=None):
        return {
            "card_id": card.id if card else 0,
            "program_id": (program or card.program_id).id,
            "points": points,
            "amount": points if amount is None else amount,
        }

    def now(self):
        return fields.Datetime.now()
