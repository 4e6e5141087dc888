# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Races as the cashier: several workers at once, each its own committed
transaction, as tests/test_attacks_review11.py and test_parallel_verify.py run
them (a TransactionCase's rows are invisible to other cursors, and the HTTP
test server shares one cursor between requests, so neither can show a race).
"""

import copy
import json
import logging
import threading
import time
import uuid as uuid_lib
from datetime import timedelta
from random import randint
from unittest.mock import patch

from psycopg2 import OperationalError
from psycopg2.errors import DeadlockDetected, LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from odoo.addons.salon_otp_redeem.tools import policy
from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError
from odoo.addons.sms.tools.sms_api import SmsApi

from .common import TransactionCase

_logger = logging.getLogger(__name__)

RETRY_ERRORS = (SerializationFailure, DeadlockDetected, LockNotAvailable)
MAX_TRIES = 10  # Odoo retries 5 times; these workers collide on purpose
RACE_CASHIER = "r12_race_cashier"


class RaceCase(TransactionCase):
    """A center, a cashier, a guest with an e-wallet, all committed (the
    threads' cursors see only committed rows), removed at the end."""

    def setUp(self):
        super().setUp()
        self.assertIsNone(self.registry.test_cr, "cursors would be shared")
        # The errors the workers retried on, by name (DeadlockDetected, ...).
        self.retried = []
        patcher = patch.object(SmsApi, "_contact_iap", return_value=[])
        patcher.start()
        self.addCleanup(patcher.stop)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            cashier = env["res.users"].search([("login", "=", RACE_CASHIER)])
            if not cashier:
                cashier = new_test_user(
                    env,
                    login=RACE_CASHIER,
                    groups="base.group_user,point_of_sale.group_pos_user",
                    company_id=company.id,
                )
            Product = env["product.product"]
            vals = {"type": "service", "available_in_pos": True, "taxes_id": []}
            service = Product.create({**vals, "name": "R12 haircut", "list_price": 45})
            topup = Product.create({**vals, "name": "R12 top-up", "list_price": 50})
            defaults = env["loyalty.program"]._program_type_default_values()["ewallet"]
            defaults["rule_ids"] = [
                Command.clear(),
                Command.create(
                    {
                        "reward_point_amount": 1,
                        "reward_point_mode": "money",
                        "product_ids": [Command.set(topup.ids)],
                    }
                ),
            ]
            defaults.pop("trigger_product_ids", None)
            program = env["loyalty.program"].create(
                {**defaults, "name": "R12 credit", "program_type": "ewallet"}
            )
            guest = env["res.partner"].create({"name": "R12 race guest"})
            card = env["loyalty.card"].create(
                {"program_id": program.id, "partner_id": guest.id, "points": 100.0}
            )
            config = env["pos.config"].create({"name": "R12 race center"})
            config.with_user(cashier).open_ui()
            session = config.current_session_id
            session.with_user(cashier).set_opening_control(0, None)
            method = config.payment_method_ids.filtered(
                lambda pm: not pm.split_transactions
            )[:1]
            self.fx = {
                "cashier": cashier.id,
                "service": service.id,
                "topup": topup.id,
                "program": program.id,
                "reward": program.reward_ids[:1].id,
                "discount_product": program.reward_ids[:1].discount_line_product_id.id,
                "guest": guest.id,
                "card": card.id,
                "config": config.id,
                "session": session.id,
                "method": method.id,
                "pricelist": config.pricelist_id.id,
                "templates": (service | topup).product_tmpl_id.ids,
            }
            cr.commit()
        self.addCleanup(self.clean)

    def clean(self):
        fx = self.fx
        with self.registry.cursor() as cr:
            statements = [
                ("DELETE FROM pos_order WHERE session_id = %s", [fx["session"]]),
                *(
                    (
                        f"DELETE FROM {table} WHERE {column} = 'salon.otp.challenge'"  # noqa: S608
                        " AND res_id IN (SELECT id FROM salon_otp_challenge"
                        " WHERE pos_config_id = %s)",
                        [fx["config"]],
                    )
                    for table, column in (
                        ("mail_activity", "res_model"),
                        ("mail_followers", "res_model"),
                        ("mail_message", "model"),
                    )
                ),
                (
                    "DELETE FROM salon_otp_challenge WHERE pos_config_id = %s",
                    [fx["config"]],
                ),
                ("DELETE FROM loyalty_card WHERE program_id = %s", [fx["program"]]),
                ("DELETE FROM loyalty_program WHERE id = %s", [fx["program"]]),
                ("DELETE FROM pos_session WHERE id = %s", [fx["session"]]),
                ("DELETE FROM pos_config WHERE id = %s", [fx["config"]]),
                (
                    "DELETE FROM product_template WHERE id IN %s",
                    [tuple(fx["templates"])],
                ),
                ("DELETE FROM res_partner WHERE id = %s", [fx["guest"]]),
            ]
            for query, params in statements:
                try:
                    with cr.savepoint(flush=False):
                        cr.execute(query, params)
                except Exception:  # noqa: BLE001 - the rest is still removed
                    _logger.warning(
                        "Race fixture not removed: %s", query, exc_info=True
                    )
            cr.commit()

    # -- orders as the POS sends them -------------------------------------
    @staticmethod
    def line(product_id, price, qty=1, **extra):
        return [
            0,
            0,
            {
                "id": randint(1, 1000000),
                "product_id": product_id,
                "qty": qty,
                "price_unit": price,
                "price_subtotal": price * qty,
                "price_subtotal_incl": price * qty,
                "discount": 0.0,
                "tax_ids": [[6, 0, []]],
                "pack_lot_ids": [],
                **extra,
            },
        ]

    def order(self, lines, uuid=None, challenge_id=None):
        total = sum(line[2]["price_subtotal_incl"] for line in lines)
        now = fields.Datetime.to_string(fields.Datetime.now())
        uuid = uuid or str(uuid_lib.uuid4())
        data = {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": now,
            "fiscal_position_id": False,
            "pricelist_id": self.fx["pricelist"],
            "name": f"Order {uuid}",
            "last_order_preparation_change": "{}",
            "lines": lines,
            "partner_id": self.fx["guest"],
            "session_id": self.fx["session"],
            "sequence_number": randint(2, 100000),
            "payment_ids": [
                [
                    0,
                    0,
                    {
                        "amount": total,
                        "name": now,
                        "payment_method_id": self.fx["method"],
                    },
                ]
            ],
            "uuid": uuid,
            "user_id": self.fx["cashier"],
            "to_invoice": False,
            "access_token": uuid_lib.uuid4().hex,
        }
        if challenge_id:
            data["redeem_otp_challenge_id"] = challenge_id
        return data

    def redeemed(self, points):
        """The guest's card as a code request names it."""
        fx = self.fx
        card, program = fx["card"], fx["program"]
        return {
            "card_id": card,
            "program_id": program,
            "points": points,
            "amount": points,
        }

    def verified_challenge(self, uuid, points):
        """A challenge the guest's code verified for the order `uuid`,
        spending `points` of the card, committed; its id."""
        fx = self.fx
        redemptions = [self.redeemed(points)]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            now = fields.Datetime.now()
            challenge = env["salon.otp.challenge"].create(
                {
                    "company_id": env["pos.config"].browse(fx["config"]).company_id.id,
                    "pos_config_id": fx["config"],
                    "pos_session_id": fx["session"],
                    "partner_id": fx["guest"],
                    "user_id": fx["cashier"],
                    "order_uuid": uuid,
                    "state": "verified",
                    "method": "code",
                    "verified_at": now,
                    "expires_at": now + timedelta(minutes=5),
                    "max_attempts": 5,
                    "validity_minutes": 5,
                    "redemption_json": json.dumps(redemptions),
                    "fingerprint": policy.fingerprint(fx["guest"], uuid, redemptions),
                    "card_ids": [Command.set([fx["card"]])],
                }
            )
            cr.commit()
            return challenge.id

    def reward_line(self, points):
        """The POS's reward line spending `points` of the guest's card."""
        fx = self.fx
        return self.line(
            fx["discount_product"],
            -points,
            is_reward_line=True,
            reward_id=fx["reward"],
            coupon_id=fx["card"],
            points_cost=points,
            reward_identifier_code=f"r{fx['reward']}",
        )

    def as_cashier(self, func):
        """`func(env)` as the cashier in a committed transaction of its own."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.fx["cashier"], {})
            result = func(env)
            env.flush_all()
            cr.commit()
        return result

    def sync_now(self, data):
        result = self.as_cashier(lambda env: env["pos.order"].sync_from_ui([data]))
        return result["pos.order"][0]["id"]

    def confirm_now(self, order_id, points):
        card, program = self.fx["card"], self.fx["program"]
        data = {
            str(card): {
                "points": points,
                "program_id": program,
                "coupon_id": card,
                "barcode": False,
                "line_codes": [],
            }
        }
        try:
            self.as_cashier(
                lambda env: (
                    env["pos.order"].browse(order_id).confirm_coupon_programs(data)
                )
            )
        except UserError as exc:
            return exc
        return None

    def card_points(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT points FROM loyalty_card WHERE id = %s", [self.fx["card"]]
            )
            return cr.fetchone()[0]

    # -- the race ----------------------------------------------------------
    def worker(self, call, barrier, results):
        """What one HTTP worker does: `call(env)` as the cashier, retries
        included; every worker has called before any commits."""
        for tryno in range(1, MAX_TRIES + 1):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, self.fx["cashier"], {})
                    try:
                        result = call(env)
                    except RedeemOtpError as exc:
                        result = exc.to_json()  # a route's error is a result
                    env.flush_all()
                    if tryno == 1:
                        try:
                            barrier.wait(timeout=10)
                        except threading.BrokenBarrierError:
                            pass  # another worker waits on a lock of ours
                    cr.commit()
                results.append(result)
                return
            except OperationalError as exc:
                if not isinstance(exc, RETRY_ERRORS) or tryno == MAX_TRIES:
                    results.append({"crash": repr(exc)})
                    return
                self.retried.append(type(exc).__name__)
                time.sleep(0.02 * tryno)
            except UserError as exc:
                results.append({"refused": str(exc)})
                return
            except Exception as exc:  # noqa: BLE001 - reported by the test
                results.append({"crash": repr(exc)})
                return

    def race(self, calls):
        barrier = threading.Barrier(len(calls))
        results = []
        threads = [
            threading.Thread(target=self.worker, args=(call, barrier, results))
            for call in calls
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        self.assertEqual([r for r in results if "crash" in str(r)], [])
        self.assertEqual(len(results), len(calls))
        return results

    def race_syncs(self, orders):
        """`orders` synced at once; the ids of the orders, or the refusals."""

        def sync(data):
            def call(env):
                result = env["pos.order"].sync_from_ui([copy.deepcopy(data)])
                return result["pos.order"][0]["id"]

            return call

        return self.race([sync(data) for data in orders])
