# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Several orders synced at once, all naming one verified challenge.

Saving an order that names a challenge takes a share lock on the challenge's
row (the foreign key's check); the order's check then locks that row for
update. Each sync held the share lock and waited for the others': PostgreSQL
broke the deadlock by failing one, which Odoo retried, and under enough
syncs at once one ran out of retries and the till got an error. The sync now
locks the challenges its orders name before saving them, so the syncs queue
on the row lock: one order is saved, the others are refused by the check,
and none deadlocks.

Races need several transactions at once: each thread is a worker with its
own committed cursor (tests/race_common.py).

The early lock takes only a challenge asked for the naming order's uuid: a
payload naming other tills' challenges (any id, any uuid) locks none of them,
so a cashier cannot stall the other tills' verifications and syncs with it.
"""

import uuid as uuid_lib

from psycopg2.errors import LockNotAvailable

from odoo import api
from odoo.tests import tagged

from .race_common import RaceCase

SYNCS = 6


@tagged("post_install", "-at_install")
class TestParallelSyncOneChallenge(RaceCase):
    def test_orders_naming_one_challenge_queue_without_deadlock(self):
        fx = self.fx
        start = self.card_points()
        uuid = str(uuid_lib.uuid4())
        challenge_id = self.verified_challenge(uuid, 20.0)
        # The order the code was given for, and others that name the same code.
        orders = [
            self.order(
                [self.line(fx["service"], 45.0), self.reward_line(20.0)],
                uuid=uuid if n == 0 else str(uuid_lib.uuid4()),
                challenge_id=challenge_id,
            )
            for n in range(SYNCS)
        ]
        results = self.race_syncs(orders)
        saved = [r for r in results if isinstance(r, int)]
        self.assertEqual(len(saved), 1, results)
        refused = [r for r in results if isinstance(r, dict) and "refused" in r]
        self.assertEqual(len(refused), SYNCS - 1, results)
        self.assertNotIn("DeadlockDetected", self.retried, results)
        self.assertAlmostEqual(self.card_points(), start - 20.0, places=2)

    def held_by_another(self, challenge_id):
        """Whether another transaction holds the challenge's row lock now."""
        with self.registry.cursor() as cr:
            try:
                cr.execute(
                    "SELECT id FROM salon_otp_challenge WHERE id = %s"
                    " FOR UPDATE NOWAIT",
                    [challenge_id],
                )
            except LockNotAvailable:
                return True
            finally:
                cr.rollback()
        return False

    def test_only_the_naming_orders_challenge_is_locked_early(self):
        uuid = str(uuid_lib.uuid4())
        challenge_id = self.verified_challenge(uuid, 20.0)
        for named_uuid, locked in ((str(uuid_lib.uuid4()), False), (uuid, True)):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.fx["cashier"], {})
                env["salon.otp.challenge"]._redeem_otp_lock_named(
                    [{"uuid": named_uuid, "redeem_otp_challenge_id": challenge_id}]
                )
                self.assertEqual(self.held_by_another(challenge_id), locked, named_uuid)
                cr.rollback()
