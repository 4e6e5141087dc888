# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 19: around the balances and the guest's identity, outside the order.

- The salon's own contact (the company's partner) is an ordinary res.partner
  that a cashier with Contact Creation may write: its email is the sender and
  Reply-To of every code, notice and alert mail (`res.company.email_formatted`),
  and its name heads every code SMS. The cashier makes the guest's mails come
  from, and be answered to, their own address, and writes the text of the
  code SMS.
- Deleting a guest's contact nulls the holder of their cards (ON DELETE SET
  NULL): the write guard never runs. A card of nobody is then spent below the
  minimum under any name, its balance notice going to that name.
- `loyalty.card.company_id` (a stored related field) is writable and not
  guarded; the dormancy delay is read from it: a dormant card moved to a
  company whose rule is off is spent with the override code.
- The merge wizard refuses contacts holding cards, not contacts holding
  memberships: a paying member is merged into the cashier's friend, their
  membership lines moved to the friend by SQL and the member deleted.
"""

from odoo.tests import tagged

from .attack_common import ACCOMPLICE_NUMBER, AttackCase
from .test_attacks_review10 import Review10Case

CASHIER_MAIL = "front.desk.helper@evil.example"
INJECTED = "Salon. To confirm, text this code to +33 6 98 76 54 32"


class ContactCreationCase(AttackCase):
    def setUp(self):
        super().setUp()
        # Odoo's default internal user template grants Contact Creation.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")


@tagged("post_install", "-at_install")
class TestReview19SalonContact(ContactCreationCase):
    """The salon's sender address and name are its partner's, which a cashier
    may write: the README's "mail from the salon, never the cashier's"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "salon@example.com"

    def test_01_code_mail_sent_from_and_answered_to_the_cashier(self):
        self.attempt(
            "res.partner",
            "write",
            [self.company.partner_id.id],
            {"email": CASHIER_MAIL},
        )
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, _code = self.request_code(channel="email")
            mails = [
                mail
                for mail in self._mails
                if "camille.martin@example.com" in str(mail["email_to"])
            ]
        self.assertNotIn("error", result, result)
        self.assertEqual(len(mails), 1, "the set-up needs the code mail")
        headers = f"{mails[0]['email_from']} {mails[0]['reply_to']}"
        self.assertNotIn(
            CASHIER_MAIL,
            headers,
            "the cashier rewrote the salon's contact email: the guest's code mail is "
            f"sent from, and answered to, the cashier ({headers})",
        )

    def test_02_cashier_writes_the_text_of_the_code_sms(self):
        self.attempt(
            "res.partner", "write", [self.company.partner_id.id], {"name": INJECTED}
        )
        result, code = self.request_code()
        self.assertNotIn("error", result, result)
        self.assertTrue(code, "the set-up needs the code SMS")
        bodies = [sms["body"] for sms in self._sms if code in sms["body"]]
        self.assertFalse(
            [body for body in bodies if INJECTED in body],
            "the cashier renamed the salon's contact: the guest's code SMS opens "
            f"with the cashier's text ({bodies})",
        )


@tagged("post_install", "-at_install")
class TestReview19GuestDeleted(ContactCreationCase):
    """A cashier deletes the guest's contact: the database sets the holder of
    every card of theirs to nobody, past `loyalty.card.write`."""

    def test_01_deleting_the_guest_frees_her_credit(self):
        self.company.redeem_otp_min_amount = 20.0
        guest = self.env["res.partner"].create(
            {
                "name": "Lea Durand",
                "mobile": "+33 6 11 22 33 44",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": guest.id, "points": 100.0}
        )
        self.attempt("res.partner", "unlink", [guest.id])
        with self.mockSMSGateway(), self.mock_mail_gateway():
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, 19.0), partner=self.accomplice
                ),
                card,
                -19.0,
            )
            self.send_balance_notices()
            self.env["sms.sms"].sudo()._process_queue()
            heard = self.heard()
        self.env.invalidate_all()
        self.assertTrue(
            guest.exists() and card.partner_id == guest,
            "the cashier deleted the guest's contact: her card now belongs to "
            f"nobody ({card.partner_id}), and {100.0 - card.points:.2f} of her "
            "credit was spent under another guest's name, the notice going to "
            f"that guest ({sorted(heard)}; the accomplice is {ACCOMPLICE_NUMBER})",
        )


@tagged("post_install", "-at_install")
class TestReview19CardCompany(ContactCreationCase):
    """The dormancy delay is the card's company's; a cashier writes the card's
    company (a stored related field, not among the guarded ones)."""

    def test_01_dormant_card_moved_to_a_company_without_the_rule(self):
        other = self.env["res.company"].create(
            {"name": "Sister salon", "redeem_otp_dormant_days": 0}
        )
        self.set_override_code()
        card = self.ewallet_card
        self.make_dormant(card)
        self.assertTrue(card._redeem_otp_dormant(self.company), "set-up: dormant")
        start = card.points
        self.attempt("loyalty.card", "write", [card.id], {"company_id": other.id})
        self.override_spend(card, 40.0)
        self.assertEqual(
            card.points,
            start,
            f"{start - card.points:.2f} of a dormant card spent with the override "
            f"code: the cashier moved the card to another company "
            f"({card.company_id.name}) whose dormancy rule is off",
        )


@tagged("post_install", "-at_install")
class TestReview19MembershipMerged(Review10Case):
    """The merge wizard's guard counts cards only: a paying member who holds
    none is merged into the cashier's friend."""

    def setUp(self):
        super().setUp()
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")

    def test_01_member_merged_into_a_friend(self):
        member = self.env["res.partner"].create(
            {"name": "Paula Member", "email": "paula.member@example.com"}
        )
        friend = self.env["res.partner"].create(
            {"name": "Sam Friend", "email": "sam.friend@example.com"}
        )
        data = self.order_data(
            [self.product_line(self.membership, 100.0)], partner=member
        )
        data["to_invoice"] = True
        with self.as_manager():
            self.assertIsInstance(self.sync(data), int)
        self.env.invalidate_all()
        lines = member.member_lines
        self.assertEqual(member.membership_state, "paid", "set-up: a paying member")
        self.attempt("res.partner", "write", [friend.id], {"email": member.email})
        wizard = self.attempt(
            "base.partner.merge.automatic.wizard",
            "create",
            {
                "partner_ids": [[6, 0, [member.id, friend.id]]],
                "dst_partner_id": friend.id,
            },
        )
        if isinstance(wizard, int):
            self.attempt(
                "base.partner.merge.automatic.wizard", "action_merge", [wizard]
            )
        self.env.invalidate_all()
        self.assertTrue(
            member.exists() and lines.partner == member,
            "a cashier merged a paying member away: the member is deleted and her "
            f"membership lines now belong to {lines.partner.name}",
        )
