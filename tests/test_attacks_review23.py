# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 23: what a cashier reaches around the order and the session.

- An order becomes paid only when its payments match its total, but the
  payments themselves (`pos.payment`: full rights for POS users, and stock
  refuses their edit only once the session is closed) stay the cashier's
  once the order is paid and its points call has credited the guest: a
  300.00 top-up is paid in cash and credited, then its payment is deleted,
  lowered, moved to another order or cancelled by a negative one. The
  credit stays; the session's cash count expects nothing for it.
- The paid check reads the order's `amount_paid` field, which the cashier
  writes on a draft order (stock recomputes it from the payments only in
  the sync): `amount_paid` = 300.00 on a draft with no payment, then
  `state` = paid in a second write, and the points call credits 300.00.
- The managers' alerts (a code locked after wrong attempts, the day's last
  override) are activities created under sudo() in the cashier's own
  request: their `create_uid` is the cashier, whom stock's activity rule
  lets write them. The cashier moves the alert off the authorization onto
  their own session, and deletes it there.
- POS users write any session: `rescue` = True on another center's open
  session and that till gets no code any more.

Every attack is made as the POS user over JSON-RPC; the tests assert what
the salon loses. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


class Review23Case(TopUpAttackCase):
    def assert_credit_paid_for(self, order, start, how):
        self.env.invalidate_all()
        gained = self.accomplice_card.points - start
        paid = sum(order.payment_ids.mapped("amount"))
        self.assertGreaterEqual(
            paid + 1e-6,
            gained,
            f"a top-up credited {gained:.2f} of e-wallet, and its payment was "
            f"{how}: the order {order.id} ({order.state}) holds {paid:.2f} of "
            "payments, and the session's cash count expects nothing of the "
            "credit sold",
        )


@tagged("post_install", "-at_install")
class TestReview23PaymentRemovedAfterCredit(Review23Case):
    """The cashier's payment rows of a paid, credited top-up."""

    def test_01_payment_deleted(self):
        start = self.accomplice_card.points
        order = self.paid_top_up()
        self.attempt("pos.payment", "unlink", order.payment_ids.ids)
        self.assert_credit_paid_for(order, start, "deleted (pos.payment unlink)")

    def test_02_payment_lowered(self):
        start = self.accomplice_card.points
        order = self.paid_top_up()
        self.attempt("pos.payment", "write", order.payment_ids.ids, {"amount": 0.0})
        self.assert_credit_paid_for(order, start, "written to 0.00 (pos.payment)")

    def test_03_payment_moved_to_another_order(self):
        start = self.accomplice_card.points
        order = self.paid_top_up()
        other = self.sync(self.order_data([self.product_line(self.cheap, 1.0)]))
        self.assertIsInstance(other, int, other)
        self.attempt(
            "pos.payment", "write", order.payment_ids.ids, {"pos_order_id": other}
        )
        self.assert_credit_paid_for(
            order, start, f"moved to the order {other} (pos.payment write)"
        )

    def test_04_payment_cancelled_by_a_negative_one(self):
        start = self.accomplice_card.points
        order = self.paid_top_up()
        self.attempt(
            "pos.payment",
            "create",
            {
                "pos_order_id": order.id,
                "amount": -300.0,
                "payment_method_id": order.payment_ids.payment_method_id.id,
            },
        )
        self.assert_credit_paid_for(
            order, start, "cancelled by a -300.00 one (pos.payment create)"
        )


@tagged("post_install", "-at_install")
class TestReview23DraftAmountPaidWritten(Review23Case):
    """`_redeem_otp_check_paid` trusts `amount_paid`, a field the cashier writes."""

    def test_01_amount_paid_written_then_state(self):
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.attempt("pos.order", "write", [order], {"amount_paid": 300.0})
        self.attempt("pos.order", "write", [order], {"state": "paid"})
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.assert_credit_paid_for(
            self.env["pos.order"].browse(order),
            start,
            "never made: `amount_paid` = 300.00 written on the draft, then "
            "`state` = paid",
        )


@tagged("post_install", "-at_install")
class TestReview23AlertMovedAndDeleted(Review23Case):
    """The lock alert of the cashier's own wrong codes, moved and deleted."""

    def alerts(self, challenge):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "salon.otp.challenge"),
                    ("res_id", "=", challenge.id),
                ]
            )
        )

    def test_01_lock_alert_moved_to_the_cashiers_session_then_deleted(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        wrong = self.wrong_code(code)
        for _i in range(challenge.max_attempts):
            self.verify(challenge.id, code=wrong)
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "locked", "set-up: a locked code")
        alerts = self.alerts(challenge)
        self.assertTrue(alerts, "set-up: the managers' alerts")
        texts = sorted(alerts.mapped("summary"))
        # The cashier cannot read the alerts, but activity ids are a sequence:
        # a to-do of their own on their session gives the next one, and the
        # alerts are just below it.
        session_model = self.env["ir.model"]._get_id("pos.session")
        own = {"res_model_id": session_model, "res_id": self.pos_session.id}
        probe = self.attempt(
            "mail.activity",
            "create",
            {
                **own,
                "summary": "Restock shampoo",
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "user_id": self.pos_user.id,
            },
        )
        self.assertIsInstance(probe, int, probe)
        for activity_id in range(probe - 1, max(probe - 20, 0), -1):
            if self.attempt("mail.activity", "write", [activity_id], own) is True:
                self.attempt("mail.activity", "unlink", [activity_id])
        self.env.invalidate_all()
        self.assertEqual(
            sorted(self.alerts(challenge).mapped("summary")),
            texts,
            "the managers' alerts of a code locked by wrong attempts were moved "
            "off the authorization by the cashier who typed them "
            "(mail.activity write res_model_id/res_id, then unlink): "
            f"{len(alerts)} alert(s), {len(self.alerts(challenge))} left, "
            f"{len(alerts.exists())} still existing",
        )


@tagged("post_install", "-at_install")
class TestReview23AnotherTillsSessionMarkedRescue(Review23Case):
    """POS users write any session (stock's rights): one plain write marks the
    other center's open session a rescue session, and the code route, which
    takes the center's newest session that is not a rescue one, refuses that
    till every code. No closing, no message: the guest cannot spend."""

    def test_01_other_session_written_rescue(self):
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": self.guest.id, "points": 50}
        )
        self.attempt("pos.session", "write", [self.other_session.id], {"rescue": True})
        self.second_cashier()
        with self.mockSMSGateway():
            result = self.attempt_route(
                "challenge",
                pos_config_id=self.other_config.id,
                partner_id=self.guest.id,
                order_uuid=self.new_uuid(),
                redemptions=[self.redemption(card, 20.0)],
            )
        self.assertFalse(
            self.refused(result),
            "a cashier of another center wrote `rescue` on this till's open "
            f"session (pos.session write): its code requests are refused ({result})",
        )
