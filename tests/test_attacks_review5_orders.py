# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a fifth review found in orders and cards (the contacts and the
salon's day are in test_attacks_review5.py): loyalty points burnt under a
cheap line; archived cards; small spends of a card of nobody; membership
lines; the sync's line commands rewriting paid orders; a borrowed challenge
waking a dormant card; the balance notice sent from the cashier; a mixed
sale's top-up refunded; a top-up paid by a promotion. The classes named
"Held" are attacks that hold.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and, where said, the passing of time) uses the
superuser.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestReview5PointsUnderACheapLine(TopUpAttackCase):
    """A fixed-cost loyalty reward (5% for 200 points) has no value per point:
    the line's price is all the minimum-amount rule and the guest's SMS read."""

    def test_01_loyalty_balance_burnt_under_a_one_euro_line_without_code(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.loyalty_card  # 500 points; the reward costs 200
        start = card.points
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 500.0, 1.0)), card, -500.0
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            msg=f"{start - card.points} loyalty points spent for a 1.00 line, "
            "without the guest's code",
        )

    def test_02_guest_told_one_euro_loses_500_points(self):
        """With a code: the SMS says what the code redeems, in money only."""
        card = self.loyalty_card
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 500.0, 1.0)]
        )
        self.challenge(result)
        body = self._sms[-1]["body"]
        self.assertIn(
            "500",
            body,
            f"the guest's code for 500 points of loyalty says only: {body!r}",
        )


@tagged("post_install", "-at_install")
class TestReview5ArchivedCard(TopUpAttackCase):
    """An archived card is a balance the salon voided: the POS does not load
    it, the server still spends it."""

    def test_01_archived_ewallet_spent(self):
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 90.0,
                "active": False,
            }
        )
        result, code = self.request_code(
            order_uuid=self.new_uuid(), redemptions=[self.redemption(card, 90.0)]
        )
        self.assertError(result, "bad_request", "archived")
        self.assertIsNone(code, "a code was sent for a voided balance")
        order = self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 90.0)), card, -90.0
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.with_context(active_test=False).points,
            90.0,
            msg=f"an archived card's balance was spent (order {order})",
        )


@tagged("post_install", "-at_install")
class TestReview5NobodysCardInPieces(TopUpAttackCase):
    """Small spends add up per order guest; an order with no guest adds up to
    nothing, and a card of nobody needs no guest."""

    def test_01_holderless_ewallet_drained_in_pieces_with_no_guest(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "points": 100.0}
        )
        nobody = self.env["res.partner"]
        for _i in range(4):
            self.sync_and_confirm(
                self.order_data(self.spending_lines(card, 19.0), partner=nobody),
                card,
                -19.0,
            )
        self.env.invalidate_all()
        self.assertGreaterEqual(
            card.points,
            100.0 - 19.0 - 1e-6,
            "four spends of 19.00 under a 20.00 minimum, no code, no guest",
        )


@tagged("post_install", "-at_install")
class TestReview5MembershipLine(TopUpAttackCase):
    """Membership comes from membership lines, which Contact Creation lets a
    cashier create and write: another customer's paid membership moved to the
    guest (or its paid invoice line named on a new line of hers) makes her a
    paid member, and members-only benefits spendable."""

    def setUp(self):
        super().setUp()
        # Contact Creation, as Odoo's default internal user template grants it.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        today = fields.Date.today()
        product = self.env["product.product"].create(
            {
                "name": "Annual membership",
                "membership": True,
                "list_price": 100.0,
                "membership_date_from": today - timedelta(days=30),
                "membership_date_to": today + timedelta(days=335),
            }
        )
        invoice = self.init_invoice(
            "out_invoice", partner=self.other_guest, products=product, post=True
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.env.invalidate_all()
        self.member_line = self.other_guest.member_lines
        self.assertEqual(
            self.other_guest.membership_state, "paid", "the set-up needs a member"
        )
        self.assertNotIn(self.guest.membership_state, ("paid", "free"))
        self.benefits = self._program(
            "Members' treatments", "ewallet", redeem_otp_membership_only=True
        )
        self.benefit_card = self.env["loyalty.card"].create(
            {
                "program_id": self.benefits.id,
                "partner_id": self.guest.id,
                "points": 100.0,
            }
        )

    def spend_the_benefit(self):
        card = self.benefit_card
        before = self.snapshot()
        self.spend_if_coded(card, 60.0)
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)
        self.assertNotIn(
            self.guest.membership_state,
            ("paid", "free"),
            "the cashier made the guest a member",
        )

    def test_01_another_customers_membership_moved_to_the_guest(self):
        self.attempt(
            "membership.membership_line",
            "write",
            self.member_line.ids,
            {"partner": self.guest.id},
        )
        self.spend_the_benefit()

    def test_02_a_new_line_on_another_customers_paid_invoice(self):
        line = self.member_line
        self.attempt(
            "membership.membership_line",
            "create",
            {
                "partner": self.guest.id,
                "membership_id": line.membership_id.id,
                "member_price": 0.0,
                "account_invoice_line": line.account_invoice_line.id,
                "date_from": fields.Date.to_string(line.date_from),
                "date_to": fields.Date.to_string(line.date_to),
            },
        )
        self.spend_the_benefit()


@tagged("post_install", "-at_install")
class TestReview5SyncRewritesPaidLines(TopUpAttackCase):
    """The sync is the server's own doing (its writes are trusted), and it
    applies the POS's line commands as sent: an update command (1, id, values)
    naming a line of another, paid order rewrites that line."""

    def rewrite_paid_line(self, line, vals):
        """Sync a small paid order of the accomplice's that also carries
        (1, line.id, vals)."""
        data = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice
        )
        data["lines"].append([1, line.id, vals])
        return self.sync(data)

    def test_01_a_paid_line_inflated_then_refunded_to_the_ewallet(self):
        card = self.accomplice_card
        start = card.points
        sold = self.sync_ok(
            self.order_data(
                [self.product_line(self.cheap, 1.0)], partner=self.accomplice
            )
        )
        line = sold.lines[0]
        price = {"price_unit": 1000.0, "price_subtotal": 1000.0}
        price["price_subtotal_incl"] = 1000.0
        self.rewrite_paid_line(line, price)
        self.env.invalidate_all()
        self.assertEqual(sold.state, "paid")
        lines = [
            self.refund_line(self.cheap, 1000.0, refunded=line),
            self.product_line(self.topup, 1000.0),
        ]
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, 1000.0
        )
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            start + 1.0 + 1e-6,
            f"a 1.00 sale refunded as 1000.00 of e-wallet credit (line now "
            f"{line.price_subtotal_incl})",
        )

    def test_02_earlier_small_spends_hidden_from_the_minimum(self):
        """review's small-spends rule reads earlier orders' reward lines."""
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        start = card.points

        def hide(order_id):
            order = self.env["pos.order"].browse(order_id)
            for line in order.lines.filtered("reward_id"):
                self.rewrite_paid_line(
                    line,
                    {
                        "points_cost": 0.0,
                        "price_unit": 0.0,
                        "price_subtotal": 0.0,
                        "price_subtotal_incl": 0.0,
                    },
                )

        self.spend_in_pieces(card, 19.0, 4, after=hide)
        self.assertGreaterEqual(
            card.points,
            start - 19.0 - 1e-6,
            "four spends of 19.00 under a 20.00 minimum, without a code",
        )


@tagged("post_install", "-at_install")
class TestReview5NoticeFromTheCashier(TopUpAttackCase):
    """Review 4 made the salon the author of a queued balance notice; its
    sender is still the cashier's address when the company has none, so the
    guest's "this was not me" reply goes to the cashier who spent the balance."""

    def test_01_the_guests_reply_goes_to_the_cashier(self):
        notice = self.queued_notice_of_coded_spend(self.ewallet_card, 40.0)
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue(ids=notice.ids)
            sent = [
                mail
                for mail in self._mails
                if "camille.martin@example.com" in str(mail["email_to"])
            ]
        self.assertEqual(len(sent), 1, sent)
        cashier = self.pos_user.email
        self.assertTrue(cashier, "the set-up needs the cashier's address")
        self.assertNotIn(
            cashier,
            f"{sent[0]['email_from']} {sent[0]['reply_to']}",
            "the guest's balance notice is sent from, and answered to, the cashier",
        )


@tagged("post_install", "-at_install")
class TestReview5BorrowedChallengeWakes(TopUpAttackCase):
    """A dormant card wakes with history on an order whose authorization was
    the guest's code. The order's authorization is what the POS sent, checked
    only when the order spends a protected balance: an order that spends
    nothing carries any challenge, here the accomplice's own verified code."""

    def setUp(self):
        super().setUp()
        self.set_override_code()

    def test_01_a_top_up_carrying_the_accomplices_code_wakes_the_guests_card(self):
        card = self.ewallet_card  # 150.00 of credit, untouched for 200 days
        self.make_dormant(card)
        borrowed = self.verified_code(
            self.new_uuid(),
            [self.redemption(self.accomplice_card, 5.0)],
            partner=self.accomplice,
        )
        topup = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 1.0)], challenge_id=borrowed.id
            )
        )
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 1.0)})
        self.attempt(
            "pos.order",
            "add_loyalty_history_lines",
            [topup.id],
            [{"card_id": card.id, "won": 1.0, "spent": 0.0}],
            [],
        )
        self.env.invalidate_all()
        self.assertEqual(topup.redeem_otp_challenge_id, borrowed)
        start = card.points
        self.override_spend(card, 151.0)
        self.assertAlmostEqual(
            card.points,
            start,
            msg="a balance dormant for 200 days was spent with the override code, "
            "after a 1.00 top-up carrying the accomplice's verified code",
        )


@tagged("post_install", "-at_install")
class TestReview5Held(TopUpAttackCase):
    """Attacks that hold today (kept so that they keep holding)."""

    def test_01_coupon_wizard_mints_no_card(self):
        before = self.snapshot()
        wizard = self.attempt(
            "loyalty.generate.wizard",
            "create",
            {
                "program_id": self.ewallet.id,
                "mode": "selected",
                "customer_ids": [[6, 0, [self.accomplice.id]]],
                "points_granted": 500.0,
            },
        )
        if isinstance(wizard, int):
            self.attempt("loyalty.generate.wizard", "generate_coupons", [wizard])
        self.assertNothingLost(before)

    def test_02_audit_rows_out_of_the_cashiers_reach(self):
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": "+33 6 98 76 54 32"}
        )
        changes = self.env["salon.otp.destination.change"].search(
            [("partner_id", "=", self.guest.id)]
        )
        self.assertTrue(changes, "the set-up needs a watched change")
        for model, ids in (
            ("salon.otp.destination.change", changes.ids),
            ("salon.otp.setting.change", []),
        ):
            rows = self.attempt(model, "search_read", [], ["id"])
            self.assertTrue(self.refused(rows), rows)
            self.attempt(model, "unlink", ids)
        self.assertEqual(changes.exists(), changes)

    def test_03_challenge_not_writable_nor_postable(self):
        result, _code = self.request_code()
        challenge = self.challenge(result)
        self.attempt(
            "salon.otp.challenge",
            "write",
            [challenge.id],
            {"state": "verified", "method": "code"},
        )
        self.attempt(
            "salon.otp.challenge", "message_post", [challenge.id], body="Resolved"
        )
        self.attempt("salon.otp.challenge", "unlink", [challenge.id])
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "pending")
        self.assertFalse(challenge.message_ids.filtered(lambda m: "Resolved" in m.body))


@tagged("post_install", "-at_install")
class TestReview5RefundShareOfTheOrder(TopUpAttackCase):
    """A refund takes back credit in proportion to the money refunded out of
    the whole refunded order, not out of what earned the credit: the top-up of
    a mixed sale refunded alone takes back only its share of the order."""

    def test_01_top_up_of_a_mixed_sale_refunded_in_cash_keeps_credit(self):
        card = self.accomplice_card
        start = card.points
        sale = self.sync_ok(
            self.order_data(
                [
                    self.product_line(self.topup, 300.0),
                    self.product_line(self.service, 200.0),
                ],
                partner=self.accomplice,
            )
        )
        self.confirm(sale.id, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start + 300.0, msg="the top-up was paid")
        topup_line = sale.lines.filtered(lambda line: line.product_id == self.topup)
        self.refund_in_cash(topup_line, 300.0)
        self.assertLessEqual(
            card.points,
            start + 1e-6,
            f"the 300.00 top-up was refunded in cash and {card.points - start} of "
            "its credit stayed on the card",
        )


@tagged("post_install", "-at_install")
class TestReview5TopUpPaidByADiscount(TopUpAttackCase):
    """What an order earns is bounded by what its sale lines cost, reward lines
    left out: a promotion's discount (no card, no code) pays the top-up."""

    def test_01_ewallet_credit_minted_with_a_promotion_discount(self):
        card = self.accomplice_card
        before = self.snapshot()
        lines = [
            self.product_line(self.topup, 300.0),
            self.reward_line(None, 0.0, 300.0, program=self.promotion),
        ]
        data = self.order_data(lines, partner=self.accomplice)
        self.assertEqual(data["amount_total"], 0.0)  # nothing is paid
        self.sync_and_confirm(data, card, 300.0)
        self.assertNothingLost(before)
