# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Attacks on challenges: answering another cashier's, and moving the guest's
cards or code to someone else.

Every attack runs as a POS user over HTTP JSON-RPC (tests/attack_common.py);
each test asserts what the salon would lose, not how the server words its
refusal.
"""

from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER, AttackCase


@tagged("post_install", "-at_install")
class TestAttack08Annoy(AttackCase):
    """8. A challenge is answered only by the cashier and session that asked."""

    def _pending(self, uuid=None):
        result, code = self.request_code(order_uuid=uuid or self.new_uuid())
        challenge = self.challenge(result)
        self.assertTrue(code)
        return challenge, code

    def assertStillPending(self, challenge, code):
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "pending", "another cashier changed it")
        self.assertEqual(challenge.attempt_count, 0, "another cashier burnt attempts")
        self.assertFalse(challenge.method)
        # The guest's code still works for the cashier who asked.
        self.authenticate("pos_user", "pos_user")
        self.assertEqual(self.verify(challenge.id, code=code).get("state"), "verified")

    def test_01_other_cashier_cannot_burn_attempts(self):
        challenge, code = self._pending()
        self.second_cashier()
        self.attempt_route(
            "verify", challenge_id=challenge.id, code=self.wrong_code(code)
        )
        self.assertStillPending(challenge, code)

    def test_02_other_cashier_cannot_lock(self):
        challenge, code = self._pending()
        self.second_cashier()
        for _i in range(challenge.max_attempts):
            self.attempt_route(
                "verify", challenge_id=challenge.id, code=self.wrong_code(code)
            )
        self.assertStillPending(challenge, code)

    def test_03_other_cashier_cannot_override(self):
        self.set_override_code()
        challenge, code = self._pending()
        self.second_cashier()
        self.attempt_route(
            "verify",
            challenge_id=challenge.id,
            override_code="246810",
            reason="Guest forgot the phone",
        )
        self.assertStillPending(challenge, code)

    def test_04_foreign_order_uuid_cannot_supersede(self):
        uuid = self.new_uuid()
        challenge, code = self._pending(uuid)
        # Past the resend cooldown.
        self.env.cr.execute(
            "UPDATE salon_otp_code SET resend_at = now() at time zone 'utc' "
            "- interval '1 minute' WHERE challenge_id = %s",
            [challenge.id],
        )
        self.second_cashier()
        self.request_code(order_uuid=uuid, pos_config_id=self.other_config.id)
        self.assertStillPending(challenge, code)

    def test_05_wrong_override_codes_are_limited_per_center(self):
        """Guessing the center's override code: after 30 wrong codes in an hour
        the right one no longer opens anything."""
        self.set_override_code(limit=100)
        wrong = 0
        while wrong < 30:
            challenge, _code = self._pending()
            for _i in range(challenge.max_attempts - 1):
                self.attempt_route(
                    "verify",
                    challenge_id=challenge.id,
                    override_code=f"99{wrong:04d}",
                    reason="Guest forgot the phone",
                )
                wrong += 1
        challenge, _code = self._pending()
        self.attempt_route(
            "verify",
            challenge_id=challenge.id,
            override_code="246810",
            reason="Guest forgot the phone",
        )
        self.env.invalidate_all()
        self.assertNotEqual(
            challenge.state, "verified", f"{wrong} wrong override codes, then a hit"
        )

    def test_06_card_id_zero_cannot_send_codes_to_anyone(self):
        stranger = self.env["res.partner"].create(
            {
                "name": "Random Stranger",
                "mobile": "+33 6 11 22 33 44",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        result, code = self.request_code(
            partner_id=stranger.id,
            redemptions=[
                {
                    "card_id": 0,
                    "program_id": self.ewallet.id,
                    "points": 10.0,
                    "amount": 10.0,
                }
            ],
        )
        self.assertIsNone(code, f"a code went to a stranger: {result}")
        self.assertFalse(
            [sms for sms in self._sms if sms["number"] == "+33611223344"],
            "an SMS went to a stranger",
        )

    def test_07_codes_sent_are_out_of_reach(self):
        """The cashier who asked cannot read, find, make or change a code's row."""
        challenge, code = self._pending()
        row = challenge.code_id
        Code = "salon.otp.code"
        results = [
            self.attempt(Code, "read", [row.id], ["state", "destination_masked"]),
            self.attempt(Code, "read", [row.id], ["code_hash"]),
            self.attempt(Code, "search_read", [("challenge_id", "=", challenge.id)]),
            self.attempt(Code, "search_count", [("code_hash", "!=", False)]),
            self.attempt(
                Code, "write", [row.id], {"state": "sent", "resend_at": False}
            ),
            self.attempt(Code, "create", [{"challenge_id": challenge.id}]),
            self.attempt(Code, "unlink", [row.id]),
            self.attempt("salon.otp.challenge", "read", [challenge.id], ["code_id"]),
        ]
        self.assertTrue(all(map(self.refused, results)), results)
        self.env.invalidate_all()
        self.assertEqual(challenge.code_id, row)
        self.assertEqual(len(row.search([("challenge_id", "=", challenge.id)])), 1)
        self.assertTrue(row.resend_at, "the resend delay still holds")
        self.assertStillPending(challenge, code)


@tagged("post_install", "-at_install")
class TestAttack10MoveTheGuest(AttackCase):
    """10. The guest's cards and code stay the guest's."""

    def setUp(self):
        super().setUp()
        # Odoo's default internal user template grants Contact Creation.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")

    def test_01_contact_merge_does_not_move_the_cards(self):
        # An accomplice with no card of their own: the cards simply move over.
        accomplice = self.env["res.partner"].create({"name": "Sam Accomplice"})
        before = self.snapshot()
        self.attempt(
            "res.partner", "write", [accomplice.id], {"email": self.guest.email}
        )
        wizard = self.attempt(
            "base.partner.merge.automatic.wizard",
            "create",
            {
                "partner_ids": [[6, 0, [self.guest.id, accomplice.id]]],
                "dst_partner_id": accomplice.id,
            },
        )
        if isinstance(wizard, int):
            self.attempt(
                "base.partner.merge.automatic.wizard", "action_merge", [wizard]
            )
        self.env.invalidate_all()
        self.assertTrue(self.guest.exists(), "the guest's contact was merged away")
        self.assertNothingLost(before)

    def test_02_code_not_sent_to_a_number_staff_just_set(self):
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": ACCOMPLICE_MOBILE}
        )
        self.request_code()
        numbers = [sms["number"] for sms in self._sms]
        self.assertNotIn(
            ACCOMPLICE_NUMBER, numbers, "the code went to the number staff just set"
        )
