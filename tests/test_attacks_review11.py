# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 11: the cashier against the code split (salon.otp.code) and the
override's counters.

The center's limits on the override code (so many per day, so many wrong
ones per hour) are counted under an advisory lock. Odoo's transactions are
REPEATABLE READ: a request's snapshot is taken by its first query (the
route reads the challenge and the session before any lock), so a request
that waited on the lock still counts what the database held before the
others committed. A cashier who fires several override requests at once
gets past the daily limit, and tries more wrong override codes per hour.

Races need several transactions at once: as in test_parallel_verify.py, each
thread is a worker with its own committed cursor, calling what the verify
route calls as the POS user (the challenge under sudo, the cashier as the
user). The HTTP test server shares one cursor between requests, so it cannot
show a race.

Also: an onchange of the challenge shows where any code went (another
cashier's, another center's), and what held of a resend's two codes.
"""

import threading
import time
import uuid
from datetime import timedelta

from psycopg2 import OperationalError
from psycopg2.errors import DeadlockDetected, LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.salon_otp_redeem.models.pos_config import OVERRIDE_FAILURES_PER_HOUR
from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError

from .attack_common import AttackCase
from .common import TransactionCase

RETRY_ERRORS = (SerializationFailure, DeadlockDetected, LockNotAvailable)
MAX_TRIES = 10
OVERRIDE = "r11-override-7731"
REASON = "Guest forgot the phone"
CASHIER = "r11_race_cashier"


@tagged("post_install", "-at_install")
class TestReview11OverrideRace(TransactionCase):
    """Several override requests at once, each on its own challenge."""

    def setUp(self):
        super().setUp()
        self.assertIsNone(self.registry.test_cr, "cursors would be shared")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            config = env["pos.config"].search([], order="id", limit=1)
            cr.execute(
                "SELECT redeem_otp_allow_override, redeem_otp_override_daily_limit,"
                " redeem_otp_override_hash FROM pos_config WHERE id = %s",
                [config.id],
            )
            saved = cr.fetchone()
            cashier = env["res.users"].search([("login", "=", CASHIER)])
            if not cashier:
                # A plain POS user: no manager, no unlimited overrides.
                cashier = new_test_user(
                    env,
                    login=CASHIER,
                    groups="base.group_user,point_of_sale.group_pos_user",
                    company_id=config.company_id.id,
                )
            # A guest with no contact: the override notice goes nowhere.
            guest = env["res.partner"].create({"name": "Race guest"})
            cr.execute(
                "UPDATE pos_config SET redeem_otp_allow_override = TRUE,"
                " redeem_otp_override_daily_limit = 1, redeem_otp_override_hash = %s"
                " WHERE id = %s",
                [env["res.users"]._crypt_context().hash(OVERRIDE), config.id],
            )
            cr.commit()
            self.config_id, self.company_id = config.id, config.company_id.id
            self.cashier_id, self.guest_id = cashier.id, guest.id
        self.challenge_ids = []
        self.addCleanup(self.clean, saved)

    def clean(self, saved):
        with self.registry.cursor() as cr:
            ids = tuple(self.challenge_ids) or (0,)
            for table, column in (
                ("mail_activity", "res_model"),
                ("mail_followers", "res_model"),
                ("mail_message", "model"),
            ):
                cr.execute(
                    f"DELETE FROM {table} WHERE {column} = %s AND res_id IN %s",  # noqa: S608
                    ["salon.otp.challenge", ids],
                )
            cr.execute("DELETE FROM salon_otp_challenge WHERE id IN %s", [ids])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [self.guest_id])
            cr.execute(
                "UPDATE pos_config SET redeem_otp_allow_override = %s,"
                " redeem_otp_override_daily_limit = %s, redeem_otp_override_hash = %s"
                " WHERE id = %s",
                [*saved, self.config_id],
            )
            cr.commit()

    def make_challenges(self, count):
        """`count` pending challenges of the cashier at the center, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            now = fields.Datetime.now()
            for _n in range(count):
                challenge = env["salon.otp.challenge"].create(
                    {
                        "company_id": self.company_id,
                        "pos_config_id": self.config_id,
                        "partner_id": self.guest_id,
                        "user_id": self.cashier_id,
                        "order_uuid": str(uuid.uuid4()),
                        "max_attempts": 5,
                        "validity_minutes": 5,
                        "expires_at": now + timedelta(minutes=5),
                        "redemption_json": "[]",
                    }
                )
                self.challenge_ids.append(challenge.id)
            cr.commit()
        return list(self.challenge_ids)

    def worker(self, challenge_id, code, barrier, results):
        """What one HTTP worker does for /salon_otp_redeem/verify (override)."""
        for tryno in range(1, MAX_TRIES + 1):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, self.cashier_id, {})
                    challenge = env["salon.otp.challenge"].sudo().browse(challenge_id)
                    # The route's first reads (_check_challenge): the snapshot.
                    challenge.pos_config_id.id  # noqa: B018
                    if tryno == 1:
                        barrier.wait(timeout=30)
                    try:
                        outcome = challenge._redeem_otp_verify(
                            override_code=code, reason=REASON
                        )
                    except RedeemOtpError as exc:
                        outcome = exc.to_json()
                    env.flush_all()
                    cr.commit()
                results.append(outcome)
                return
            except OperationalError as exc:
                if not isinstance(exc, RETRY_ERRORS) or tryno == MAX_TRIES:
                    results.append({"crash": repr(exc)})
                    return
                time.sleep(0.02 * tryno)
            except Exception as exc:  # noqa: BLE001 - reported by the test
                results.append({"crash": repr(exc)})
                return

    def race(self, challenge_ids, code):
        barrier = threading.Barrier(len(challenge_ids))
        results = []
        threads = [
            threading.Thread(target=self.worker, args=(cid, code, barrier, results))
            for cid in challenge_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual([r for r in results if "crash" in r], [])
        self.assertEqual(len(results), len(challenge_ids))
        return results

    def read_rows(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, method, override_failure_count FROM salon_otp_challenge"
                " WHERE id IN %s",
                [tuple(self.challenge_ids)],
            )
            return cr.fetchall()

    def test_01_daily_override_limit_taken_four_times_at_once(self):
        """Limit 1 a day: four overrides sent together all authorize a spend."""
        results = self.race(self.make_challenges(4), OVERRIDE)
        verified = [row for row in self.read_rows() if row[1] == "override"]
        self.assertLessEqual(
            len(verified),
            1,
            f"{len(verified)} overrides authorized on a day limited to 1: {results}",
        )

    def test_02_wrong_override_codes_past_the_hourly_cap_at_once(self):
        """Eight wrong override codes together: each is a guess the cap forbids."""
        results = self.race(self.make_challenges(8), "wrong-guess-000")
        guesses = sum(row[2] for row in self.read_rows())
        self.assertLessEqual(
            guesses,
            OVERRIDE_FAILURES_PER_HOUR,
            f"{guesses} override codes tried in one hour: {results}",
        )


@tagged("post_install", "-at_install")
class TestReview11CodeRowThroughOnchange(AttackCase):
    """POS users have no access to salon.otp.code; an onchange of the challenge
    computes its related fields (compute_sudo) from any code row named."""

    def test_01_onchange_reads_another_cashiers_code_row(self):
        """Where and when another center's code went, by naming its row."""
        self.second_cashier()
        result, _code = self.request_code(
            pos_config_id=self.other_config.id, order_uuid=self.new_uuid()
        )
        other = self.challenge(result)
        self.assertTrue(other.code_id.destination_masked)
        self.authenticate("pos_user", "pos_user")
        spec = {name: {} for name in ("destination_masked", "sent_at", "channel")}
        answer = self.attempt(
            "salon.otp.challenge",
            "onchange",
            [],
            {"code_id": other.code_id.id},
            [],
            spec,
        )
        values = {} if self.refused(answer) else answer.get("value", {})
        self.assertFalse(
            values.get("destination_masked"),
            f"the cashier read where another cashier's code went: {values}",
        )


@tagged("post_install", "-at_install")
class TestReview11Held(AttackCase):
    def test_01_resent_code_voids_the_first_for_both_challenges(self):
        """After a resend for the same order, the first code opens neither challenge."""
        self.company.redeem_otp_resend_seconds = 0
        uuid = self.new_uuid()
        first, code1 = self.request_code(order_uuid=uuid)
        second, code2 = self.request_code(order_uuid=uuid)
        first, second = self.challenge(first), self.challenge(second)
        self.assertTrue(code1 and code2 and code1 != code2)
        on_second = self.verify(second.id, code=code1)
        on_first = self.verify(first.id, code=code1)
        self.env.invalidate_all()
        self.assertEqual(first.state, "superseded", on_first)
        self.assertEqual(second.state, "pending", on_second)
        self.assertEqual(second.attempt_count, 1, "the old code counts as wrong")
        self.assertEqual(self.verify(second.id, code=code2).get("state"), "verified")
