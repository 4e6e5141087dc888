# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who sees the audit trail: managers of the company; POS users only their own."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .backoffice_common import BackofficeCase


@tagged("post_install", "-at_install")
class TestBackofficeAccess(BackofficeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company()["company"]
        cls.center_b = cls.env["pos.config"].create({"name": "Center B"})
        cls.cashier_b = cls._user(
            "bo_cashier_b",
            ["point_of_sale.group_pos_user", "base.group_partner_manager"],
        )
        cls.cashier_other_company = cls._user(
            "bo_cashier_other",
            ["point_of_sale.group_pos_user"],
            company=cls.other_company,
        )
        cls.manager_other_company = cls._user(
            "bo_manager_other",
            ["point_of_sale.group_pos_manager"],
            company=cls.other_company,
        )
        cls.other_center = (
            cls.env["pos.config"]
            .with_company(cls.other_company)
            .create({"name": "Elsewhere"})
        )

    def setUp(self):
        super().setUp()
        Challenge = self.env["salon.otp.challenge"]
        with self.mockSMSGateway():
            self.challenge_a = (
                Challenge.with_user(self.cashier)
                .sudo()
                ._redeem_otp_request(
                    self.config,
                    self.guest,
                    self.create_random_uid(),
                    [self.redemption(self.ewallet_card, 10.0)],
                )
            )
        self.challenge_b = Challenge.sudo().create(
            {
                "company_id": self.company.id,
                "pos_config_id": self.center_b.id,
                "partner_id": self.guest.id,
                "user_id": self.cashier_b.id,
                "order_uuid": self.create_random_uid(),
                "state": "failed",
            }
        )
        self.challenge_other = Challenge.sudo().create(
            {
                "company_id": self.other_company.id,
                "pos_config_id": self.other_center.id,
                "partner_id": self.guest.id,
                "user_id": self.cashier_other_company.id,
                "order_uuid": self.create_random_uid(),
                "state": "failed",
            }
        )
        self.all = self.challenge_a | self.challenge_b | self.challenge_other

    def visible(self, user):
        return (
            self.env["salon.otp.challenge"]
            .with_user(user)
            .search([("id", "in", self.all.ids)])
        )

    def test_pos_user_sees_nothing_of_another_center(self):
        self.assertEqual(self.challenge_a.user_id, self.cashier)
        self.assertEqual(self.visible(self.cashier), self.challenge_a)
        self.assertEqual(self.visible(self.cashier_b), self.challenge_b)
        with self.assertRaises(AccessError):
            self.challenge_a.with_user(self.cashier_b).read(["partner_id", "amount"])
        with self.assertRaises(AccessError):
            self.challenge_b.with_user(self.cashier).read(["state"])
        groups = (
            self.env["salon.otp.challenge"]
            .with_user(self.cashier_b)
            .read_group([], ["amount:sum"], ["pos_config_id"])
        )
        self.assertEqual([g["pos_config_id"][0] for g in groups], [self.center_b.id])

    def test_pos_user_of_another_company_sees_nothing(self):
        self.assertEqual(self.visible(self.cashier_other_company), self.challenge_other)
        with self.assertRaises(AccessError):
            self.challenge_a.with_user(self.cashier_other_company).read(["state"])

    def test_manager_sees_every_center_of_their_companies_only(self):
        self.assertEqual(
            self.visible(self.manager), self.challenge_a | self.challenge_b
        )
        self.assertEqual(self.visible(self.manager_other_company), self.challenge_other)

    def test_nobody_writes_the_audit_trail(self):
        for user in (self.cashier, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.challenge_a.with_user(user).write({"state": "used"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.challenge_a.with_user(user).unlink()

    def test_contact_changes_are_for_managers(self):
        self.guest.with_user(self.cashier).write({"mobile": "+33698765432"})
        Change = self.env["salon.otp.destination.change"]
        with self.assertRaises(AccessError):
            Change.with_user(self.cashier).search([])
        change = Change.with_user(self.manager).search(
            [("partner_id", "=", self.guest.id)]
        )
        # Kept as the number it was, in international form.
        self.assertEqual(change.old_value, "+33612345678")
        self.assertFalse(Change.with_user(self.manager_other_company).search([]))

    def test_smart_buttons_are_for_managers(self):
        self.assertEqual(
            self.guest.with_user(self.manager).redeem_otp_challenge_count, 2
        )
        self.assertEqual(
            self.ewallet_card.with_user(self.manager).redeem_otp_challenge_count, 1
        )
        with self.assertRaises(AccessError):
            self.guest.with_user(self.cashier).read(["redeem_otp_challenge_count"])
        # The cashier still opens the guest and the card forms.
        for record, view in (
            (self.guest, "base.view_partner_form"),
            (self.ewallet_card, "loyalty.loyalty_card_view_form"),
        ):
            arch = record.with_user(self.cashier).get_views(
                [(self.env.ref(view).id, "form")]
            )
            self.assertNotIn(
                "redeem_otp_challenge_count", str(arch["views"]["form"]["arch"])
            )
            arch = record.with_user(self.manager).get_views(
                [(self.env.ref(view).id, "form")]
            )
            self.assertIn(
                "redeem_otp_challenge_count", str(arch["views"]["form"]["arch"])
            )

    def test_report_menu_is_for_managers(self):
        menu = self.env.ref("salon_otp_redeem.menu_salon_otp_challenge")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.cashier)._visible_menu_ids())

    def test_report_views_load_for_a_manager(self):
        views = (
            self.env["salon.otp.challenge"]
            .with_user(self.manager)
            .get_views(
                [(False, mode) for mode in ("list", "form", "search", "pivot", "graph")]
            )
        )
        self.assertEqual(
            set(views["views"]), {"list", "form", "search", "pivot", "graph"}
        )
        data = (
            self.env["salon.otp.challenge"]
            .with_user(self.manager)
            .read_group([], ["amount:sum"], ["user_id", "create_date:week"], lazy=False)
        )
        self.assertTrue(data)


@tagged("post_install", "-at_install")
class TestMembershipsSold(BackofficeCase):
    """Memberships are sold as stock sells them, the membership lines made
    by the invoice line whoever invoices (an accountant, the membership
    wizard, the POS invoicing a sale); Contact Creation alone no longer
    writes those lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls._user(
            "bo_billing",
            ["account.group_account_invoice", "base.group_partner_manager"],
        )
        today = fields.Date.today()
        cls.membership = cls.env["product.product"].create(
            {
                "name": "Annual membership",
                "membership": True,
                "list_price": 100.0,
                "available_in_pos": True,
                "taxes_id": [Command.clear()],
                "membership_date_from": today - timedelta(days=30),
                "membership_date_to": today + timedelta(days=335),
            }
        )

    def test_an_accountant_invoices_a_membership(self):
        invoice = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.guest.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.membership.id, "price_unit": 100.0}
                        )
                    ],
                }
            )
        )
        line = self.guest.member_lines
        self.assertEqual(line.account_invoice_line, invoice.invoice_line_ids)
        # Stock moves the membership with the invoice's customer...
        invoice.partner_id = self.other_guest
        self.assertEqual(line.partner, self.other_guest)
        # ... and dates its cancellation.
        invoice.action_post()
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(line.date_cancel, fields.Date.today())

    def test_the_membership_wizard_invoices_a_membership(self):
        wizard = (
            self.env["membership.invoice"]
            .with_user(self.accountant)
            .with_context(active_ids=self.guest.ids)
            .create({"product_id": self.membership.id, "member_price": 100.0})
        )
        wizard.membership_invoice()
        self.assertEqual(self.guest.member_lines.membership_id, self.membership)

    def test_the_pos_invoices_a_membership_sale(self):
        data = self.order_data([(self.membership, 1.0)])
        data["to_invoice"] = True
        self.env["pos.order"].with_user(self.pos_user).sync_from_ui([data])
        self.env.invalidate_all()
        self.assertEqual(self.guest.membership_state, "paid")

    def test_the_lines_are_not_the_cashiers(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.other_guest, products=self.membership
        )
        line = self.other_guest.member_lines
        Line = self.env["membership.membership_line"].with_user(self.cashier)
        with self.assertRaises(AccessError):
            line.with_user(self.cashier).write({"partner": self.guest.id})
        with self.assertRaises(AccessError):
            line.with_user(self.cashier).write({"date_to": fields.Date.today()})
        with self.assertRaises(AccessError):
            Line.create(
                {
                    "partner": self.guest.id,
                    "membership_id": self.membership.id,
                    "member_price": 0.0,
                    "account_invoice_line": invoice.invoice_line_ids.id,
                }
            )
        with self.assertRaises(AccessError):
            line.with_user(self.cashier).unlink()
