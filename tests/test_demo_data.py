# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo salon (salon_otp_redeem/demo/salon_demo.xml) loads as intended.

The demo is what a reviewer opens first and what the tours can lean on: the
guests must have numbers a code can really be sent to, each balance must sit
on the right card, and the Front Desk must open a session with the programs.
"""

from datetime import date

import phonenumbers
from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from .common import MODULE, TransactionCase

PRODUCTS = {
    "demo_product_haircut": ("Haircut", 45.0),
    "demo_product_colour": ("Colour", 85.0),
    "demo_product_blow_dry": ("Blow-dry", 30.0),
    "demo_product_blow_dry_package": ("10 blow-dry package", 270.0),
    "demo_product_ewallet_top_up": ("Client credit top-up", 50.0),
    "demo_product_gift_card": ("Salon gift card", 50.0),
}

PROGRAMS = {
    "demo_program_loyalty": ("Salon Loyalty", "loyalty"),
    "demo_program_ewallet": ("Client credit", "ewallet"),
    "demo_program_blow_dry_package": ("10 blow-dry package", "loyalty"),
    "demo_program_spring_coupon": ("Spring colour campaign", "coupons"),
    "demo_program_members_discount": ("Members' 10% off", "promotion"),
    "demo_program_gift_card": ("Gift cards", "gift_card"),
}

# xml id: (program, partner or None, code, points, has an expiration date)
CARDS = {
    "demo_card_loyalty_camille": (
        "demo_program_loyalty",
        "demo_partner_camille",
        "SALON-LOYALTY-CAMILLE",
        120.0,
        True,
    ),
    "demo_card_ewallet_camille": (
        "demo_program_ewallet",
        "demo_partner_camille",
        "SALON-CREDIT-CAMILLE",
        150.0,
        False,
    ),
    "demo_card_ewallet_sofia": (
        "demo_program_ewallet",
        "demo_partner_sofia",
        "SALON-CREDIT-SOFIA",
        60.0,
        False,
    ),
    "demo_card_blow_dry_package_sofia": (
        "demo_program_blow_dry_package",
        "demo_partner_sofia",
        "SALON-BLOWDRY-SOFIA",
        7.0,
        True,
    ),
    "demo_card_spring_coupon_camille": (
        "demo_program_spring_coupon",
        "demo_partner_camille",
        "SPRING20-CAMILLE",
        1.0,
        True,
    ),
    "demo_card_gift_card_0050": (
        "demo_program_gift_card",
        None,
        "GIFT-DEMO-0050",
        50.0,
        True,
    ),
}


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def ref(self, xml_id):
        return self.env.ref(f"{MODULE}.{xml_id}")

    def assertE164Mobile(self, number, region):
        self.assertTrue(number, "no number")
        self.assertTrue(number.startswith("+"), f"{number} is not in E.164")
        parsed = phonenumbers.parse(number, None)
        self.assertTrue(phonenumbers.is_valid_number(parsed), f"{number} is not valid")
        self.assertEqual(phonenumbers.region_code_for_number(parsed), region)
        self.assertEqual(
            phonenumbers.number_type(parsed),
            phonenumbers.PhoneNumberType.MOBILE,
            f"{number} is not a mobile number: an SMS code would not reach it",
        )
        self.assertEqual(
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
            number,
        )

    # Guests ---------------------------------------------------------------

    def test_guests_with_mobiles(self):
        for xml_id, name, region, email in (
            (
                "demo_partner_camille",
                "Camille Martin",
                "FR",
                "camille.martin@example.com",
            ),
            ("demo_partner_sofia", "Sofia García", "ES", "sofia.garcia@example.com"),
        ):
            with self.subTest(guest=name):
                partner = self.ref(xml_id)
                self.assertEqual(partner.name, name)
                self.assertEqual(partner.email, email)
                self.assertEqual(partner.country_id.code, region)
                self.assertE164Mobile(partner.mobile, region)
                self.assertE164Mobile(partner.phone, region)

    def test_guest_without_phone(self):
        oliver = self.ref("demo_partner_oliver")
        self.assertEqual(oliver.name, "Oliver Bennett")
        self.assertEqual(oliver.email, "oliver.bennett@example.com")
        self.assertEqual(oliver.country_id.code, "GB")
        self.assertFalse(oliver.phone)
        self.assertFalse(oliver.mobile)

    def test_camille_is_a_member(self):
        camille = self.ref("demo_partner_camille")
        self.assertIn(camille.membership_state, ("paid", "free"))
        for xml_id in ("demo_partner_sofia", "demo_partner_oliver"):
            self.assertEqual(self.ref(xml_id).membership_state, "none")

    # Products -------------------------------------------------------------

    def test_products(self):
        for xml_id, (name, price) in PRODUCTS.items():
            with self.subTest(product=xml_id):
                product = self.ref(xml_id)
                self.assertEqual(product._name, "product.product")
                self.assertEqual(product.name, name)
                self.assertEqual(product.type, "service")
                self.assertTrue(product.available_in_pos)
                self.assertAlmostEqual(product.list_price, price)

    def test_membership_product(self):
        product = self.ref("demo_product_membership")
        self.assertTrue(product.membership)
        self.assertAlmostEqual(product.list_price, 120.0)
        today = date.today()
        self.assertLessEqual(product.membership_date_from, today)
        self.assertGreater(product.membership_date_to, today)

    # Programs -------------------------------------------------------------

    def test_programs_have_exactly_the_declared_rules_and_rewards(self):
        """Defaults of the program type must not have been added to the demo ones."""
        for xml_id, (name, program_type) in PROGRAMS.items():
            with self.subTest(program=xml_id):
                program = self.ref(xml_id)
                self.assertEqual(program.name, name)
                self.assertEqual(program.program_type, program_type)
                self.assertTrue(program.active)
                self.assertTrue(program.pos_ok)
                self.assertEqual(program.reward_ids, self.ref(f"{xml_id}_reward"))
                if program_type == "coupons":
                    # a coupon's points come from the card, not from a rule
                    self.assertFalse(program.rule_ids)
                else:
                    self.assertEqual(program.rule_ids, self.ref(f"{xml_id}_rule"))

    def test_loyalty_program(self):
        program = self.ref("demo_program_loyalty")
        rule, reward = program.rule_ids, program.reward_ids
        self.assertEqual(
            (rule.reward_point_mode, rule.reward_point_amount), ("money", 1)
        )
        self.assertEqual(reward.reward_type, "discount")
        self.assertEqual((reward.discount_mode, reward.discount), ("per_order", 5))
        self.assertEqual(reward.required_points, 50)

    def test_ewallet_program(self):
        program = self.ref("demo_program_ewallet")
        self.assertTrue(program.is_nominative)
        self.assertEqual(
            program.trigger_product_ids, self.ref("demo_product_ewallet_top_up")
        )
        reward = program.reward_ids
        self.assertEqual((reward.discount_mode, reward.discount), ("per_point", 1))

    def test_blow_dry_package_program(self):
        program = self.ref("demo_program_blow_dry_package")
        rule, reward = program.rule_ids, program.reward_ids
        self.assertEqual(rule.product_ids, self.ref("demo_product_blow_dry_package"))
        self.assertEqual(
            (rule.reward_point_mode, rule.reward_point_amount), ("unit", 10)
        )
        self.assertEqual(reward.reward_type, "product")
        self.assertEqual(reward.reward_product_id, self.ref("demo_product_blow_dry"))
        self.assertEqual((reward.required_points, reward.reward_product_qty), (1, 1))

    def test_spring_coupon_program(self):
        program = self.ref("demo_program_spring_coupon")
        self.assertEqual(program.trigger, "with_code")
        reward = program.reward_ids
        self.assertEqual((reward.discount_mode, reward.discount), ("percent", 20))
        self.assertEqual(reward.discount_applicability, "specific")
        self.assertEqual(reward.discount_product_ids, self.ref("demo_product_colour"))

    def test_members_discount_program(self):
        program = self.ref("demo_program_members_discount")
        self.assertEqual((program.trigger, program.applies_on), ("auto", "current"))
        reward = program.reward_ids
        self.assertEqual((reward.discount_mode, reward.discount), ("percent", 10))
        self.assertEqual(reward.discount_applicability, "order")
        self.assertTrue(program.redeem_otp_membership_only)

    def test_protection_defaults(self):
        """Guests' money is protected out of the box; gift cards never are."""
        for xmlid in (
            "demo_program_loyalty",
            "demo_program_ewallet",
            "demo_program_blow_dry_package",
            "demo_program_spring_coupon",
        ):
            self.assertTrue(self.ref(xmlid).redeem_otp_required, xmlid)
        self.assertFalse(self.ref("demo_program_gift_card").redeem_otp_required)

    def test_gift_card_program(self):
        program = self.ref("demo_program_gift_card")
        self.assertEqual(
            program.trigger_product_ids, self.ref("demo_product_gift_card")
        )
        self.assertEqual(
            program.mail_template_id, self.env.ref("loyalty.mail_template_gift_card")
        )
        self.assertEqual(
            program.pos_report_print_id, self.env.ref("loyalty.report_gift_card")
        )

    # Cards ----------------------------------------------------------------

    def test_cards(self):
        today = date.today()
        for xml_id, (program, partner, code, points, expires) in CARDS.items():
            with self.subTest(card=xml_id):
                card = self.ref(xml_id)
                self.assertEqual(card.program_id, self.ref(program))
                if partner:
                    self.assertEqual(card.partner_id, self.ref(partner))
                else:
                    self.assertFalse(card.partner_id)
                self.assertEqual(card.code, code)
                self.assertAlmostEqual(card.points, points)
                if expires:
                    self.assertGreater(card.expiration_date, today)
                else:
                    self.assertFalse(card.expiration_date)

    def test_package_valid_for_a_year(self):
        card = self.ref("demo_card_blow_dry_package_sofia")
        self.assertEqual(card.expiration_date, date.today() + relativedelta(years=1))

    def test_history_matches_balances(self):
        """Each demo balance is explained by its history, as an order would leave it."""
        for xml_id in (
            "demo_card_loyalty_camille",
            "demo_card_ewallet_camille",
            "demo_card_ewallet_sofia",
            "demo_card_blow_dry_package_sofia",
        ):
            with self.subTest(card=xml_id):
                card = self.ref(xml_id)
                history = card.history_ids
                self.assertTrue(history)
                self.assertAlmostEqual(
                    sum(history.mapped("issued")) - sum(history.mapped("used")),
                    card.points,
                )

    # Front Desk -----------------------------------------------------------

    def test_front_desk_programs(self):
        config = self.ref("demo_pos_config_front_desk")
        self.assertEqual(config.name, "Front Desk")
        self.assertEqual(config.company_id, self.env.ref("base.main_company"))
        programs = config._get_program_ids()
        for xml_id in PROGRAMS:
            with self.subTest(program=xml_id):
                self.assertIn(self.ref(xml_id), programs)
                # kept off Odoo's demo shops
                self.assertEqual(self.ref(xml_id).pos_config_ids, config)

    def test_front_desk_payment_methods(self):
        config = self.ref("demo_pos_config_front_desk")
        cash = self.ref("demo_payment_method_cash_front_desk")
        self.assertIn(cash, config.payment_method_ids)
        self.assertTrue(cash.is_cash_count)
        self.assertEqual(cash.journal_id, self.ref("demo_journal_cash_front_desk"))
        self.assertEqual(
            cash.config_ids, config, "a cash method belongs to one point of sale"
        )

    def test_front_desk_sells_the_salon_products(self):
        config = self.ref("demo_pos_config_front_desk")
        category = self.ref("demo_pos_category_salon")
        self.assertIn(category, config.iface_available_categ_ids)
        for xml_id in (*PRODUCTS, "demo_product_membership"):
            with self.subTest(product=xml_id):
                self.assertIn(category, self.ref(xml_id).pos_categ_ids)

    def test_front_desk_opens_a_session(self):
        config = self.ref("demo_pos_config_front_desk")
        self.assertFalse(config.current_session_id)
        admin = self.env.ref("base.user_admin")
        action = config.with_user(admin).open_ui()
        self.assertEqual(action["type"], "ir.actions.act_url")
        session = config.current_session_id
        self.assertTrue(session)
        self.assertEqual(session.user_id, admin)
        self.assertIn(session.state, ("opening_control", "opened"))
