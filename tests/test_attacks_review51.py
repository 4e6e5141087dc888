# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 51 (adversarial, of the speed changes since e0f39e1).

- A points call moved a card its snapshot never locked, never checked.
  Stock's `_check_existing_loyalty_cards` moves any key (positive too) that
  carries a `partner_id` onto that guest's loyalty card of the key's
  program, finding it by `search([("partner_id", "=", partner_id), ...])`.
  The addon accepted a partner id as text ("990001") and its snapshot
  (`loyalty.card._redeem_otp_snapshot`, `payloads.cards_named`) locked the
  cards of partner int("990001"); stock's domain, given text for a
  many2one, name-searches it instead: the guest whose reference, tax id,
  email or name is "990001" (`res.partner._rec_names_search`). That guest's
  card moved outside the snapshot, and `_redeem_otp_check_moves` checks only
  the snapshot's cards (and, with a negative key, those the order made):
  - test_01: a guest whose customer reference is a number lost points with
    no code (the key names the cashier's own card);
  - test_02: the cashier writes a number into the accomplice's reference and
    credited the accomplice's loyalty card with points nobody paid for;
  - test_05: the same with a new-card key.
  Fixed in `payloads.coupon_changes`: the ids it checks are written back as
  numbers into the data stock reads.
- Rules that hold (regression tests): a gift card named by text is refused,
  with nothing moved (test_03); the sync's early card lock with a code
  request named by two orders of one sync binds it once (test_04).

Same rules as the other attack tests (tests/attack_common.py).
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestReview51(TopUpAttackCase):
    def plain_order(self, partner=False):
        """A paid order with a service and no reward: it spends nothing."""
        return self.sync_ok(self.order_data([self.product_line()], partner=partner))

    def test_01_partner_as_text_drains_a_guest_card_by_its_reference(self):
        # The salon numbers its guests (a customer reference, as many do).
        self.guest.ref = "990001"
        order = self.plain_order(partner=self.accomplice)
        before = self.snapshot()
        guest_points = self.loyalty_card.points
        result = self.confirm(
            order.id,
            {
                # The cashier's own card as the key; stock moves it onto
                # the guest found by the text "990001".
                self.accomplice_loyalty.id: self.coupon_vals(
                    self.accomplice_loyalty,
                    -400.0,
                    program=self.loyalty,
                    partner_id="990001",
                )
            },
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            self.loyalty_card.points,
            guest_points,
            msg=f"the guest's loyalty card lost points with no code ({result!r})",
        )
        self.assertNothingLost(before)

    def test_02_partner_as_text_credits_the_accomplice_unpaid_points(self):
        # Odoo's default internal user template grants Contact Creation; the
        # cashier writes a number into the accomplice's reference.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        written = self.attempt(
            "res.partner", "write", [self.accomplice.id], {"ref": "990002"}
        )
        self.assertFalse(self.refused(written), written)
        order = self.plain_order(partner=False)
        before = self.snapshot()
        points = self.accomplice_loyalty.points
        result = self.confirm(
            order.id,
            {
                self.coupon_card.id: self.coupon_vals(
                    self.coupon_card,
                    1000.0,
                    program=self.loyalty,
                    partner_id="990002",
                )
            },
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            self.accomplice_loyalty.points,
            points,
            msg=f"the accomplice's card gained points nobody paid for ({result!r})",
        )
        self.assertNothingLost(before)

    def test_03_gift_card_named_by_text_moves_nothing(self):
        order = self.plain_order(partner=False)
        self.gift_card_card.points = 0.0
        before = self.snapshot()
        result = self.confirm(
            order.id,
            {
                self.gift_card_card.id: self.coupon_vals(
                    self.gift_card_card,
                    500.0,
                    giftCardId=str(self.gift_card_card.id),
                )
            },
        )
        self.assertTrue(self.refused(result), result)
        self.assertNothingLost(before)
        self.env.invalidate_all()
        self.assertFalse(order.redeem_otp_points_moved)

    def test_04_one_code_request_named_by_two_orders_of_one_sync(self):
        uuid = self.new_uuid()
        challenge = self.verified_code(uuid, [self.redemption(self.ewallet_card, 40.0)])
        before = self.snapshot()
        first = self.order_data(
            self.spending_lines(self.ewallet_card, 40.0),
            challenge_id=challenge.id,
            uuid=uuid,
        )
        second = self.order_data(
            self.spending_lines(self.ewallet_card, 40.0),
            challenge_id=challenge.id,
        )
        result = self.attempt("pos.order", "sync_from_ui", [first, second])
        self.assertTrue(self.refused(result), result)
        self.assertNothingLost(before)
        self.assertFalse(self.new_orders())

    def test_05_partner_as_text_with_a_new_card_key(self):
        # The same with the POS's own new-card key (the check then reads the
        # cards back from the database): still not the guest's card.
        self.guest.ref = "990003"
        order = self.plain_order(partner=self.accomplice)
        before = self.snapshot()
        self.confirm(
            order.id,
            {
                -1: self.coupon_vals(
                    self.loyalty_card,
                    -400.0,
                    coupon_id=-1,
                    partner_id="990003",
                )
            },
        )
        self.assertNothingLost(before)
