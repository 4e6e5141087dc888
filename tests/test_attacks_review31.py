# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 31: who receives the code, and what the audit says of who spent it.

- The code mail is a `mail.mail` that `RedeemOtpSender._send_mail_now` creates
  under sudo() in the cashier's own request: sudo() keeps the cashier's uid,
  so every field the sender leaves out takes the cashier's own `ir.default`
  (stock lets every internal user `ir.default.set(..., user_id=True)` over
  JSON-RPC, for any model). `mail.mail.email_cc` = the cashier's address:
  each code mail to the guest is copied to the cashier, who spends the
  guest's credit "with the guest's code".
- The same with the contact-change alert (`salon.otp.destination.change.
  _redeem_otp_alert`, `RedeemOtpSender._queue_notice`): its `sms.sms` is
  queued in the cashier's request, and the cashier's own default
  `sms.sms.to_delete = True` keeps it out of Odoo's SMS queue for good. A
  guest reached by SMS only is never told that staff put another mobile on
  their record, no manager is told either (the alert counts as queued),
  and once the watch is over the guest's code goes to the cashier's phone.
- The contact-change watch ignores what a user does to their own contact.
  With Contact Creation the cashier runs the portal wizard on the guest
  under the cashier's own email (that change is watched, and the guest is
  told of it), signs up with the invitation that comes to them, and, logged
  in as "the guest", types their own number in the portal's "my details":
  not recorded, so the guest's code goes to the cashier's phone at once,
  within the watch that should have held it for the previous number.
- `name` is one of the fields every user writes on their own user: a
  cashier who renames themselves as a colleague for an override has the
  managers' alert (its text frozen at that moment) blame the colleague.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up (and
time passing) uses the superuser.
"""

import re
from datetime import timedelta
from urllib.parse import unquote

from odoo import fields
from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER, AttackCase
from .otp_common import html_code
from .test_attacks_review9 import Review9Case

CASHIER_MAIL = "till.cashier@example.net"


@tagged("post_install", "-at_install")
class TestReview31CodeMailDefaults(AttackCase):
    """The code mail takes the cashier's own defaults for the fields the
    sender leaves out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "salon@example.com"

    def spend_with_code_from_my_mailbox(self, card, points):
        """Ask the guest's code by email, read it in the cashier's own mailbox,
        verify it, sync and confirm the order. The code read, or None."""
        uuid = self.new_uuid()
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, _sms = self.request_code(
                order_uuid=uuid,
                redemptions=[self.redemption(card, points)],
                channel="email",
            )
        mine = [
            mail
            for mail in self._mails
            if CASHIER_MAIL in f"{mail['email_to']} {mail.get('email_cc')}"
        ]
        code = mine and html_code(mine[0]["body"])
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, points),
                    uuid=uuid,
                    challenge_id=result["challenge_id"],
                ),
                card,
                -points,
            )
        self.env.invalidate_all()
        return code

    def test_01_own_default_copies_the_code_mail_to_the_cashier(self):
        card = self.ewallet_card
        self.attempt(
            "ir.default", "set", "mail.mail", "email_cc", CASHIER_MAIL, user_id=True
        )
        code = self.spend_with_code_from_my_mailbox(card, 100.0)
        self.assertEqual(
            card.points,
            150.0,
            "the cashier's own ir.default on mail.mail.email_cc put their address in "
            f"copy of the guest's code mail (code {code} read in their mailbox): "
            f"100.00 of the guest's credit spent 'with the guest's code', "
            f"card now {card.points}",
        )


@tagged("post_install", "-at_install")
class TestReview31SilencedContactChangeAlert(Review9Case):
    """The contact-change alert is an `sms.sms` queued in the cashier's own
    request, under sudo(), which keeps the cashier's uid: the cashier's own
    default `sms.sms.to_delete = True` keeps it out of the queue. Nobody is
    told; once the watch is over the code goes to the number staff typed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_guest = cls.env["res.partner"].create(
            {
                "name": "Sofia Garcia",
                "mobile": "+33 6 11 22 33 44",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.sms_card = cls.env["loyalty.card"].create(
            {
                "program_id": cls.ewallet.id,
                "partner_id": cls.sms_guest.id,
                "points": 150.0,
            }
        )

    def my_default(self, model, field_name, value):
        result = self.attempt(
            "ir.default", "set", model, field_name, value, user_id=True
        )
        self.assertIs(result, True, result)

    def test_02_alert_never_sent_and_the_balance_spent_after_the_watch(self):
        card, guest = self.sms_card, self.sms_guest
        start = card.points
        self.my_default("sms.sms", "to_delete", True)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            written = self.attempt(
                "res.partner", "write", [guest.id], {"mobile": ACCOMPLICE_MOBILE}
            )
            self.run_queues()
            told = "+33611223344" in self.heard()
        self.assertIs(written, True, written)
        managers_told = self.env["mail.activity"].search_count(
            [("res_model", "=", "res.partner"), ("res_id", "=", guest.id)]
        )
        # The cashier's own default back to normal, and a day passes.
        self.my_default("sms.sms", "to_delete", False)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE salon_otp_destination_change SET create_date = %s "
            "WHERE partner_id = %s",
            [fields.Datetime.now() - timedelta(hours=25), guest.id],
        )
        self.env.invalidate_all()
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid,
            partner_id=guest.id,
            redemptions=[self.redemption(card, 150.0)],
        )
        self.assertIn(ACCOMPLICE_NUMBER, {sms["number"] for sms in self._sms})
        self.verify(result["challenge_id"], code=code)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, 150.0),
                    partner=guest,
                    uuid=uuid,
                    challenge_id=result["challenge_id"],
                ),
                card,
                -150.0,
            )
            self.run_queues()
            told = told or "+33611223344" in self.heard()
        self.env.invalidate_all()
        self.assertTrue(
            card.points == start or told or managers_told,
            f"{start - card.points} of the guest's credit spent with a code sent to "
            "the number a cashier typed a day before; the guest's 'contact details "
            "changed by staff' SMS was queued with the cashier's own default "
            "sms.sms.to_delete and never sent, and no manager was told",
        )


@tagged("post_install", "-at_install")
class TestReview31TheGuestsOwnAccount(Review9Case):
    """`salon.otp.destination.change._record_effects` records nothing a user
    does to their own contact ("the guest changing their own details is no
    fraud signal"). Contact Creation gives the portal wizard: the cashier
    makes the guest a portal user with the cashier's own email (that one
    change is watched), signs up with the invitation it sends there, and,
    as "the guest", puts their own number on the record: not watched."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "salon@example.com"
        cls.phone_guest = cls.env["res.partner"].create(
            {
                "name": "Lea Dubois",
                "phone": "+33 6 11 22 33 44",
                "email": "lea.dubois@example.com",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.phone_card = cls.env["loyalty.card"].create(
            {
                "program_id": cls.ewallet.id,
                "partner_id": cls.phone_guest.id,
                "points": 150.0,
            }
        )

    def form(self, url, **values):
        """A browser's form post: the page's CSRF token, then the fields."""
        page = self.url_open(url).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(url.split("?")[0], data={"csrf_token": csrf, **values})

    def test_03_cashier_as_the_guest_moves_the_code_unwatched(self):
        card, guest = self.phone_card, self.phone_guest
        start = card.points
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            wizard = self.call_kw(
                "portal.wizard", "create", {"partner_ids": [[6, 0, [guest.id]]]}
            )
            line = self.call_kw("portal.wizard", "read", [wizard], ["user_ids"])
            line = line[0]["user_ids"][0]
            self.call_kw("portal.wizard.user", "write", [line], {"email": CASHIER_MAIL})
            self.call_kw("portal.wizard.user", "action_grant_access", [line])
            invite = [m for m in self._mails if CASHIER_MAIL in str(m["email_to"])]
        self.assertTrue(invite, "the set-up needs the invitation")
        token = unquote(re.search(r"token=([^&\"]+)", invite[0]["body"]).group(1))
        # From a browser: sign up with the invitation, then "my details".
        self.logout()
        self.form(
            f"/web/signup?token={token}",
            token=token,
            login=CASHIER_MAIL,
            name=guest.name,
            password="guest-pass-123",
            confirm_password="guest-pass-123",
        )
        self.authenticate(CASHIER_MAIL, "guest-pass-123")
        self.form(
            "/my/account",
            name=guest.name,
            phone=ACCOMPLICE_MOBILE,
            email=CASHIER_MAIL,
            street="1 rue de la Paix",
            city="Paris",
            country_id=str(guest.country_id.id),
        )
        self.authenticate("pos_user", "pos_user")
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid,
            partner_id=guest.id,
            redemptions=[self.redemption(card, 150.0)],
        )
        to = {sms["number"] for sms in self._sms}
        # The cashier holds only what reaches their own phone.
        if code and ACCOMPLICE_NUMBER in to and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, 150.0),
                    partner=guest,
                    uuid=uuid,
                    challenge_id=result["challenge_id"],
                ),
                card,
                -150.0,
            )
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            start,
            "the cashier made the guest a portal user under their own email, "
            "signed up with its invitation and, as 'the guest', typed their own "
            f"number: no change of it was recorded, the guest's code went to {to} "
            f"within the watch and {start - card.points} of credit were spent",
        )


@tagged("post_install", "-at_install")
class TestReview31CashierRenamesThemselves(AttackCase):
    """`name` is among the fields every user writes on their own user
    (`res.users.SELF_WRITEABLE_FIELDS`). The authorization keeps the user,
    but everything written for a person to read names them by their name
    of the moment: the managers' alert, the receipt, the report."""

    def test_04_override_alert_blames_a_colleague(self):
        self.set_override_code(limit=1)
        real_name = self.pos_user.name
        colleague = self.pos_user2
        colleague.name = "Anna Colleague"
        # (Refused now: a cashier renames no member of staff.)
        self.attempt("res.users", "write", [self.pos_user.id], {"name": colleague.name})
        order = self.override_spend(self.ewallet_card, 40.0)
        self.assertIsInstance(order, int, order)
        self.attempt("res.users", "write", [self.pos_user.id], {"name": real_name})
        self.env.invalidate_all()
        challenge = self.env["pos.order"].browse(order).redeem_otp_challenge_id
        alerts = self.env["mail.activity"].search(
            [("res_model", "=", challenge._name), ("res_id", "=", challenge.id)]
        )
        self.assertTrue(alerts, "the set-up needs the day's last override alert")
        note = str(alerts[0].note)
        self.assertIn(
            real_name,
            note,
            "the managers' alert for the day's last override names "
            f"{colleague.name!r}, a colleague, as the one who used it: the cashier "
            f"renamed their own user for the override, then back ({note})",
        )
