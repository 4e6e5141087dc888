# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 20: the one-time code's message tells the guest less than it authorizes.

The code request takes up to 50 redemption lines and does not merge those of
one card: the guest's SMS (and email) lists each as "<amount> of <program>",
joined and cut at 250 characters (`loyalty.program._redeem_otp_summary`),
while the authorization (`redemption_json`, the fingerprint) sums them per
card. A cashier who names the guest's card ten times for 0.01, then once for
120.00, sends a code whose message only ever speaks of 0.01s: the guest reads
out a code for what they were told is a few cents, and the order spends
120.10 of their credit with it.
"""

from odoo.tests import tagged

from .attack_common import AttackCase


@tagged("post_install", "-at_install")
class TestCodeMessageHidesTheAmount(AttackCase):
    def test_01_big_redemption_hidden_behind_cents_in_the_code_sms(self):
        card = self.ewallet_card
        start = card.points
        hidden = 120.0
        cents = [self.redemption(card, 0.01) for _n in range(10)]
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid, redemptions=[*cents, self.redemption(card, hidden)]
        )
        challenge = self.challenge(result)
        self.assertTrue(code, "no code was sent")
        body = self._sms[-1]["body"]
        verified = self.verify(challenge.id, code=code)
        self.assertEqual(verified.get("state"), "verified", verified)
        total = round(hidden + 0.10, 2)
        order = self.sync(
            self.order_data(
                self.spending_lines(card, total), uuid=uuid, challenge_id=challenge.id
            )
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -total)})
        self.env.invalidate_all()
        spent = start - card.points
        if spent > 1.0:
            self.assertIn(
                "120",
                body,
                f"the guest's code spent {spent:.2f} of their credit, but the SMS that "
                f"carried it told them only of cents: {body!r}",
            )

    def test_02_a_long_summary_gives_way_but_always_tells_the_total(self):
        """Parts past what a message holds become "and N more"; the total stays."""
        program = self.ewallet
        lines = [
            {"card_id": n, "program_id": program.id, "points": 1.0, "amount": 1.0}
            for n in range(1, 31)
        ]
        lines.append(
            {"card_id": 99, "program_id": program.id, "points": 95.0, "amount": 95.0}
        )
        summary, amount, points = self.env["loyalty.program"]._redeem_otp_summary(
            lines, self.company
        )
        self.assertEqual((amount, points), (125.0, 125.0))
        self.assertLessEqual(len(summary), 250 + 40, summary)
        self.assertIn("more", summary)
        self.assertIn(self.company.currency_id.format(125.0), summary)
