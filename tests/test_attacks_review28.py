# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a twenty-eighth review found: a guest who left the salon no mobile
and no email (a walk-in who bought a package) holds a balance that only the
override code could release, and a dormant one that nothing but "the guest's
own code" releases. A cashier with Contact Creation types their own number on
the guest's record: the contact-change watch has nobody to warn (the guest
had no channel) and no manager is told; once the watch is over the guest's
code goes to the cashier's phone, and the dormant balance is spent "with the
guest's own code" (which also wakes the card for the override).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and time passing) uses the superuser.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER
from .test_attacks_review9 import Review9Case


@tagged("post_install", "-at_install")
class TestReview28StaffNumberOnAGuestWithNoContact(Review9Case):
    """A guest with no destination at all: the number staff set is trusted
    once 24 hours have passed, with no one ever told."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.walk_in = cls.env["res.partner"].create(
            {"name": "Walk-in Guest", "country_id": cls.env.ref("base.fr").id}
        )
        cls.walk_in_card = cls.env["loyalty.card"].create(
            {
                "program_id": cls.ewallet.id,
                "partner_id": cls.walk_in.id,
                "points": 150.0,
            }
        )

    def hours_pass_for(self, partner, hours):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE salon_otp_destination_change SET create_date = %s "
            "WHERE partner_id = %s",
            [fields.Datetime.now() - timedelta(hours=hours), partner.id],
        )
        self.env.invalidate_all()

    def staff_number_then_code(self, card, points):
        """The cashier sets their own mobile on the guest, waits the watch out,
        asks the guest's code (it reaches the cashier), spends `points`.
        Whether a manager or the guest heard of anything: (told, orders)."""
        guest = card.partner_id
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            written = self.attempt(
                "res.partner", "write", [guest.id], {"mobile": ACCOMPLICE_MOBILE}
            )
            self.run_queues()
        self.assertIs(written, True, f"the set-up needs the write: {written}")
        self.assertTrue(
            self.env["salon.otp.destination.change"].search_count(
                [("partner_id", "=", guest.id)]
            ),
            "the set-up needs the change recorded",
        )
        self.hours_pass_for(guest, 25)
        self.env["salon.otp.destination.change"]._gc_redeem_otp_changes()
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid,
            partner_id=guest.id,
            redemptions=[self.redemption(card, points)],
        )
        if "error" in result or not code:
            return result
        self.assertIn(ACCOMPLICE_NUMBER, {sms["number"] for sms in self._sms})
        verified = self.verify(result["challenge_id"], code=code)
        self.assertEqual(verified.get("state"), "verified", verified)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            order = self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, points),
                    partner=guest,
                    uuid=uuid,
                    challenge_id=result["challenge_id"],
                ),
                card,
                -points,
            )
            self.run_queues()
        return order

    def test_01_dormant_balance_of_a_guest_with_no_contact_spent_by_staffs_phone(
        self,
    ):
        card = self.walk_in_card
        self.make_dormant(card)
        self.assertTrue(
            card._redeem_otp_dormant(self.company), "the set-up needs a dormant card"
        )
        managers_before = self.env["mail.activity"].search_count([])
        start = card.points
        self.staff_number_then_code(card, 150.0)
        self.env.invalidate_all()
        alerted = self.env["mail.activity"].search_count([]) > managers_before
        self.assertTrue(
            card.points == start or alerted,
            f"{start - card.points} of a dormant guest's credit spent 'with the "
            "guest's own code', sent to the number a cashier typed on a guest who "
            "had none a day before; neither the guest nor a manager was told",
        )

    def test_02_no_contact_guests_balance_spent_by_staffs_phone_without_override(
        self,
    ):
        card = self.walk_in_card
        managers_before = self.env["mail.activity"].search_count([])
        start = card.points
        self.staff_number_then_code(card, 150.0)
        self.env.invalidate_all()
        alerted = self.env["mail.activity"].search_count([]) > managers_before
        self.assertTrue(
            card.points == start or alerted,
            f"{start - card.points} of credit of a guest with no contact spent "
            "with a code sent to the number a cashier typed a day before: no "
            "override recorded, nobody told",
        )
