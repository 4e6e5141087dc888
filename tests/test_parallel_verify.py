# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One challenge verified from several workers at once.

Each thread is a worker: its own database cursor, its own transaction,
committed, with the retry loop Odoo's RPC layer runs on serialization
failures (odoo/service/model.py, `retrying`). The challenge is committed
data made in a separate cursor (a TransactionCase's rows are invisible to
other cursors) and removed at the end.

The row lock of `_redeem_otp_verify` must make the counting exact: however
many workers race, a challenge gets exactly `max_attempts` failures before
it locks, and a right code verifies it exactly once.
"""

import random
import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import OperationalError
from psycopg2.errors import DeadlockDetected, LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, api, fields

from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError
from odoo.addons.sms.tools.sms_api import SmsApi

from .common import TransactionCase

MAX_TRIES = 10  # Odoo retries 5 times; these threads collide on purpose, more often
RETRY_ERRORS = (SerializationFailure, DeadlockDetected, LockNotAvailable)
RIGHT_CODE = "482913"
WRONG_CODES = [f"{n:06d}" for n in range(100000, 100000 + 24)]
THREADS = 8


class TestParallelVerify(TransactionCase):
    def setUp(self):
        super().setUp()
        self.assertIsNone(
            self.registry.test_cr,
            "the registry is in HTTP test mode: cursors would be shared",
        )
        # Alerts after a lock may text or mail the guest or managers: never for real.
        patcher = patch.object(SmsApi, "_contact_iap", return_value=[])
        patcher.start()
        self.addCleanup(patcher.stop)

    # -- committed fixture ---------------------------------------------
    def make_challenge(self, max_attempts):
        """A pending challenge, committed, whose code is RIGHT_CODE."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            config = env["pos.config"].search([], limit=1)
            partner = env["res.partner"].search([("email", "!=", False)], limit=1)
            self.assertTrue(
                config and partner, "the database needs a POS config and a partner"
            )
            now = fields.Datetime.now()
            challenge = env["salon.otp.challenge"].create(
                {
                    "company_id": config.company_id.id,
                    "pos_config_id": config.id,
                    "partner_id": partner.id,
                    "order_uuid": str(uuid.uuid4()),
                    "max_attempts": max_attempts,
                    "validity_minutes": 5,
                    "expires_at": now + timedelta(minutes=5),
                    "redemption_json": "[]",
                }
            )
            code = env["salon.otp.code"].create(
                {
                    "challenge_id": challenge.id,
                    "code_length": len(RIGHT_CODE),
                    "alphabet": "numeric",
                    "sent_at": now,
                    "expires_at": now + timedelta(minutes=5),
                    "resend_at": now,
                    "channel": "sms",
                }
            )
            code._store_code_hash(RIGHT_CODE)
            cr.commit()
            challenge_id = challenge.id
        self.addCleanup(self.delete_challenge, challenge_id)
        return challenge_id

    def delete_challenge(self, challenge_id):
        with self.registry.cursor() as cr:
            for table, model_column in (
                ("mail_activity", "res_model"),
                ("mail_followers", "res_model"),
                ("mail_message", "model"),
            ):
                cr.execute(
                    f"DELETE FROM {table} WHERE {model_column} = %s AND res_id = %s",  # noqa: S608
                    ["salon.otp.challenge", challenge_id],
                )
            cr.execute("DELETE FROM salon_otp_challenge WHERE id = %s", [challenge_id])
            cr.commit()

    def read_challenge(self, challenge_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT challenge.state, attempt_count, method, verified_at, code_hash"
                "  FROM salon_otp_challenge challenge"
                "  JOIN salon_otp_code code ON code.challenge_id = challenge.id"
                " WHERE challenge.id = %s",
                [challenge_id],
            )
            state, attempts, method, verified_at, code_hash = cr.fetchone()
        return {
            "state": state,
            "attempt_count": attempts,
            "method": method,
            "verified_at": verified_at,
            "code_hash": code_hash,
        }

    # -- one worker ------------------------------------------------------
    def verify_in_own_transaction(self, challenge_id, code, barrier, results, retries):
        """What one HTTP worker does for /salon_otp_redeem/verify, retries included."""
        barrier.wait()
        for tryno in range(1, MAX_TRIES + 1):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    challenge = env["salon.otp.challenge"].browse(challenge_id)
                    try:
                        outcome = challenge._redeem_otp_verify(code=code)
                    except RedeemOtpError as exc:
                        # The route returns errors as results: what was counted is committed.
                        outcome = exc.to_json()
                    env.flush_all()
                    cr.commit()
                results.append((code, outcome))
                return
            except OperationalError as exc:
                if not isinstance(exc, RETRY_ERRORS) or tryno == MAX_TRIES:
                    results.append((code, {"crash": repr(exc)}))
                    return
                retries.append(type(exc).__name__)
                time.sleep(
                    random.uniform(0.0, 0.05 * tryno)
                )  # as odoo.service.model does
            except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
                results.append((code, {"crash": repr(exc)}))
                return

    def race(self, challenge_id, codes):
        barrier = threading.Barrier(len(codes))
        results, retries = [], []
        threads = [
            threading.Thread(
                target=self.verify_in_own_transaction,
                args=(challenge_id, code, barrier, results, retries),
                name=f"verify-{n}",
            )
            for n, code in enumerate(codes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse([t for t in threads if t.is_alive()], "a worker hung")
        crashes = [outcome for _code, outcome in results if "crash" in outcome]
        self.assertEqual(crashes, [])
        self.assertEqual(len(results), len(codes))
        return results, retries

    @staticmethod
    def error_codes(results):
        return sorted(
            outcome["error"]["code"] for _code, outcome in results if "error" in outcome
        )

    # -- scenarios ---------------------------------------------------------
    def test_wrong_codes_in_parallel_lock_after_exactly_max_attempts(self):
        max_attempts = 5
        challenge_id = self.make_challenge(max_attempts)
        results, _retries = self.race(challenge_id, WRONG_CODES[: THREADS + 4])

        row = self.read_challenge(challenge_id)
        self.assertEqual(row["state"], "locked")
        self.assertEqual(row["attempt_count"], max_attempts)
        self.assertIsNone(row["code_hash"], "a locked code keeps no hash")
        errors = self.error_codes(results)
        # Exactly max_attempts workers counted an attempt; the others found it locked.
        self.assertEqual(errors.count("invalid_code"), max_attempts - 1)
        self.assertEqual(len(errors), THREADS + 4)
        self.assertEqual(
            errors.count("locked"), THREADS + 4 - (max_attempts - 1), errors
        )
        attempts_left = sorted(
            outcome["error"]["attempts_left"]
            for _code, outcome in results
            if outcome.get("error", {}).get("code") == "invalid_code"
        )
        # Each failure saw its own count: no two workers read the same value.
        self.assertEqual(attempts_left, list(range(1, max_attempts)))

    def test_one_right_code_among_wrong_ones_verifies_exactly_once(self):
        max_attempts = 10
        challenge_id = self.make_challenge(max_attempts)
        codes = [RIGHT_CODE, RIGHT_CODE, *WRONG_CODES[: THREADS - 2]]
        random.shuffle(codes)
        results, _retries = self.race(challenge_id, codes)

        row = self.read_challenge(challenge_id)
        self.assertEqual(row["state"], "verified")
        self.assertEqual(row["method"], "code")
        self.assertTrue(row["verified_at"])
        self.assertIsNone(row["code_hash"], "a verified code keeps no hash")
        verified = [
            outcome for _code, outcome in results if outcome.get("state") == "verified"
        ]
        self.assertEqual(len(verified), 1, results)
        # Whatever came after the verification counted nothing and said so.
        after = [
            outcome["error"]
            for _code, outcome in results
            if outcome.get("error", {}).get("state") == "verified"
        ]
        self.assertTrue(all(error["code"] == "bad_request" for error in after), after)
        counted = [
            outcome
            for _code, outcome in results
            if outcome.get("error", {}).get("code") == "invalid_code"
        ]
        self.assertEqual(row["attempt_count"], len(counted))
        self.assertEqual(len(verified) + len(after) + len(counted), len(codes))
        self.assertLessEqual(row["attempt_count"], THREADS - 1)
