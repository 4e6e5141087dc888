# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One salon for the route, order, attack and back-office tests.

`SalonOtpCase` is the fixture they share: Odoo's POS HTTP fixture (its main
config, POS user and POS manager), the salon's programs, guests and cards, a
session the POS user opened, SMS and mail caught at their gateways, and what
every test builds: orders as the POS sends them, redemptions, dormant cards,
the center's override code. Two layers say how a test reaches the server:
`RedeemOtpOrderCase` calls the models as the POS's RPC lands in them,
`RedeemRoutesCase` goes over HTTP as the logged-in POS user (and
tests/attack_common.py adds the cashier's JSON-RPC attacks on top of it).
"""

import re
import time
import uuid as uuid_lib
from contextlib import contextmanager
from datetime import timedelta
from random import randint

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError
from odoo.addons.sms.tests.common import MockSMS

from .common import MODULE

CODE_RE = re.compile(r": ([0-9A-Z]{4,10}) is your code")
OVERRIDE_CODE = "246810"


def wait_delivery(jsonrpc, result, tries=200):
    """Poll `/salon_otp_redeem/delivery` with `jsonrpc(url, params)` until the
    code of a challenge route's answer is no longer being sent."""
    for _ in range(tries):
        if not isinstance(result, dict) or result.get("delivery") != "sending":
            return result
        time.sleep(0.01)
        result = jsonrpc(
            "/salon_otp_redeem/delivery", {"challenge_id": result["challenge_id"]}
        )
    raise AssertionError(f"the code of {result} was never sent")


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
    # The guest's codes that named it were used then too.
    env.cr.execute(
        """
        UPDATE salon_otp_challenge SET used_at = LEAST(used_at, %s)
         WHERE id IN (SELECT salon_otp_challenge_id
                        FROM loyalty_card_salon_otp_challenge_rel
                       WHERE loyalty_card_id = %s)
        """,
        [then, card.id],
    )
    env.invalidate_all()


def html_code(body):
    """The code in the mail template's big paragraph."""
    match = re.search(r"letter-spacing: 4px;\">\s*([0-9A-Z]{4,10})\s*<", body or "")
    return match and match.group(1)


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
        cls.guest = env["res.partner"].create(
            {
                "name": "Camille Martin",
                "mobile": "+33 6 12 34 56 78",
                "email": "camille.martin@example.com",
                "country_id": env.ref("base.fr").id,
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
        for name, program, points in (
            ("ewallet_card", cls.ewallet, 150.0),
            ("loyalty_card", cls.loyalty, 500.0),
            ("coupon_card", cls.coupons, 1.0),
            ("next_order_card", cls.next_order, 1.0),
        ):
            card = Card.create(
                {"program_id": program.id, "partner_id": cls.guest.id, "points": points}
            )
            setattr(cls, name, card)
        cls.gift_card_card = Card.create(
            {"program_id": cls.gift_card.id, "points": 50.0}
        )


class SalonOtpCase(SalonSetupMixin, TestPointOfSaleHttpCommon, MockSMS, MockEmail):
    """The salon on the main POS config, its session open by the POS user."""

    test_module = MODULE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.main_pos_config
        cls.company = cls.config.company_id
        cls._setup_salon(cls.company)
        # Room for several codes per test; the limits have their own tests.
        cls.company.redeem_otp_max_sends_per_hour = 50
        cls.config.redeem_otp_max_sends_per_hour = 500
        cls.service = cls.env["product.product"].create(
            {
                "name": "Colour and cut",
                "available_in_pos": True,
                "list_price": 200.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.config.with_user(cls.pos_user).open_ui()
        cls.pos_session = cls.config.current_session_id
        cls.pos_session.with_user(cls.pos_user).set_opening_control(0, None)

    @staticmethod
    def new_uuid():
        return str(uuid_lib.uuid4())

    create_random_uid = new_uuid

    def now(self):
        return fields.Datetime.now()

    def make_dormant(self, card, days=200):
        make_dormant(self.env, card, days)

    def rpc(self, route, **params):
        """One of the addon's JSON routes, as the logged-in user; a code
        request answers once its code went out, as the POS dialog waits."""
        result = self.make_jsonrpc_request(f"/salon_otp_redeem/{route}", params)
        if route == "challenge":
            return self.delivered(result)
        return result

    def delivered(self, result):
        """The challenge route's answer once the send after it is done: where
        the code went, or why it did not (`/delivery`, polled as the POS does)."""
        return wait_delivery(self.make_jsonrpc_request, result)

    def sent_codes(self, since=0):
        """The codes in the SMS sent since the `since`-th one."""
        matches = (CODE_RE.search(sms["body"]) for sms in self._sms[since:])
        return [match.group(1) for match in matches if match]

    def system_admin(self):
        """A Settings administrator of this company, not the superuser."""
        return new_test_user(
            self.env,
            login="salon_sysadmin",
            groups="base.group_system,point_of_sale.group_pos_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )

    def set_override_code(self, code=OVERRIDE_CODE, limit=3, manager=None):
        self.config.write(
            {
                "redeem_otp_allow_override": True,
                "redeem_otp_override_daily_limit": limit,
            }
        )
        manager = manager or self.pos_admin
        self.config.with_user(manager).set_redeem_otp_override_code(code)

    # -- what the POS sends ------------------------------------------------
    @staticmethod
    def redemption(card, points, amount=None, program=None):
        return {
            "card_id": card.id if card else 0,
            "program_id": (program or card.program_id).id,
            "points": points,
            "amount": points if amount is None else amount,
        }

    def spend(self, points=40.0, card=None):
        return [self.redemption(card or self.ewallet_card, points)]

    @staticmethod
    def line_vals(product, price, qty=1):
        """An order line's values as the POS sends them, without taxes."""
        return {
            "product_id": product.id,
            "qty": qty,
            "price_unit": price,
            "price_subtotal": price * qty,
            "price_subtotal_incl": price * qty,
            "discount": 0.0,
            "tax_ids": [[6, 0, []]],
            "pack_lot_ids": [],
        }

    def reward_vals(self, card, points, amount=None, program=None):
        """A reward line as pos_loyalty sends it: `amount` off, `points` from `card`."""
        program = program or card.program_id
        reward = program.reward_ids[:1]
        product = reward.discount_line_product_id or reward.reward_product_id
        amount = points if amount is None else amount
        return {
            **self.line_vals(product, -amount),
            "is_reward_line": True,
            "reward_id": reward.id,
            "coupon_id": card.id if card else False,
            "points_cost": points,
            "reward_identifier_code": f"r{reward.id}-{card.id if card else 0}",
        }

    def product_line(self, product=None, price=None, qty=1):
        product = product or self.service
        price = product.lst_price if price is None else price
        line = {"id": randint(1, 1000000), **self.line_vals(product, price, qty)}
        return [0, 0, line]

    def reward_line(self, card, points, amount=None, program=None):
        line = self.reward_vals(card, points, amount, program)
        return [0, 0, {"id": randint(1, 1000000), **line}]

    def spending_lines(self, card, points, amount=None, program=None):
        """The service, and a reward line spending `points` of `card`."""
        return [self.product_line(), self.reward_line(card, points, amount, program)]

    def order_data(
        self,
        lines,
        partner=None,
        challenge_id=None,
        uuid=None,
        state=None,
        config=None,
        user=None,
        session=None,
        sequence_number=None,
    ):
        """An order as the POS syncs it, paid in full by its first cash method."""
        session = session or (config or self.config).current_session_id
        methods = session.config_id.payment_method_ids
        method = (
            methods.filtered("is_cash_count")[:1]
            or methods.filtered(lambda pm: not pm.split_transactions)[:1]
        )
        uuid = uuid or self.new_uuid()
        partner = self.guest if partner is None else partner
        total = sum(line[2]["price_subtotal_incl"] for line in lines)
        now = fields.Datetime.to_string(fields.Datetime.now())
        data = {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": now,
            "fiscal_position_id": False,
            "pricelist_id": session.config_id.pricelist_id.id,
            "name": f"Order {uuid}",
            "last_order_preparation_change": "{}",
            "lines": lines,
            "partner_id": partner.id if partner else False,
            "session_id": session.id,
            "sequence_number": sequence_number or randint(2, 100000),
            "payment_ids": [
                [0, 0, {"amount": total, "name": now, "payment_method_id": method.id}]
            ],
            "uuid": uuid,
            "user_id": (user or self.pos_user).id,
            "to_invoice": False,
            "access_token": uuid_lib.uuid4().hex,
        }
        if challenge_id:
            data["redeem_otp_challenge_id"] = challenge_id
        if state:
            data["state"] = state
        return data

    def send_balance_notices(self):
        """Run the scheduled action that turns owed notices into queued SMS and
        emails (a points call only records them)."""
        self.env["salon.otp.balance.notice"]._cron_send_balance_notices()


class RedeemOtpOrderCase(SalonOtpCase):
    """Orders through `sync_from_ui` and `confirm_coupon_programs`, called on the
    models as the POS's RPC reaches them."""

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
        codes = self.sent_codes(len(self._sms) - 1)
        self.assertTrue(codes, "no code in the SMS body")
        return codes[0]

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

    def order_data(self, lines, partner=None, challenge=None, uuid=None, state=None):
        """`lines` are (product, quantity) pairs or lines of `reward_line`."""
        lines = [
            self.product_line(line[0], qty=line[1]) if isinstance(line, tuple) else line
            for line in lines
        ]
        return super().order_data(
            lines,
            partner=partner or self.guest,
            challenge_id=challenge.id if challenge else None,
            uuid=uuid,
            state=state,
            user=self.env.user,
            sequence_number=2,
        )

    def sync(self, data):
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def coded_order(self, card, points):
        """An order spending `points` of `card` under the guest's verified code,
        synced: (order, challenge)."""
        uuid = self.new_uuid()
        challenge = self.verified_challenge(uuid, [self.redemption(card, points)])
        order = self.sync(
            self.order_data(
                self.spending_lines(card, points), challenge=challenge, uuid=uuid
            )
        )
        return order, challenge

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


class RedeemRoutesCase(SalonOtpCase):
    """The JSON routes over HTTP, as the POS user."""

    def setUp(self):
        super().setUp()
        self.authenticate("pos_user", "pos_user")

    def assertError(self, result, code, message=None):
        self.assertIn("error", result, f"expected error {code}, got {result}")
        self.assertEqual(result["error"]["code"], code, result["error"].get("message"))
        if message:
            self.assertRegex(result["error"]["message"], message)
        return result["error"]

    def challenge_params(self, **overrides):
        params = {
            "pos_config_id": self.config.id,
            "partner_id": self.guest.id,
            "order_uuid": self.new_uuid(),
            "redemptions": self.spend(),
        }
        params.update(overrides)
        return params

    def request_code(self, sim_error=None, **overrides):
        """Ask for a code over HTTP; return (result, code sent by SMS or None)."""
        with self.mockSMSGateway(sim_error=sim_error):
            result = self.rpc("challenge", **self.challenge_params(**overrides))
        codes = self.sent_codes()
        return result, (codes[-1] if codes else None)

    def challenge(self, result):
        self.assertNotIn("error", result, result)
        return self.env["salon.otp.challenge"].browse(result["challenge_id"])

    def verify(self, challenge_id, **params):
        return self.rpc("verify", challenge_id=challenge_id, **params)

    def verify_override(self, challenge_id, reason="Guest's phone is flat"):
        """The center's override code (set_override_code's) with a reason."""
        return self.verify(challenge_id, override_code=OVERRIDE_CODE, reason=reason)

    def wrong_code(self, code):
        """A code of the right shape that is not `code`."""
        return "".join("1" if ch != "1" else "2" for ch in code)

    def sync_ok(self, data):
        """A sync the set-up needs to succeed (not itself what is tested)."""
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pos.order/sync_from_ui",
            {
                "model": "pos.order",
                "method": "sync_from_ui",
                "args": [[data]],
                "kwargs": {},
            },
        )
        self.env.invalidate_all()
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])
