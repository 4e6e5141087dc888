# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo salon (salon_otp_redeem/demo/salon_demo.xml) loads as intended.

The demo is what a reviewer opens first and what the tours can lean on: the
guests must have numbers a code can really be sent to, the programs only what
the demo declares (no type defaults added), each balance must be explained by
its history, and the Front Desk must open a session with the programs. What
the XML merely declares is not read back here.
"""

import phonenumbers

from odoo.tests import tagged

from .common import MODULE, TransactionCase

PROGRAMS = {
    "demo_program_loyalty": ("Salon Loyalty", "loyalty"),
    "demo_program_ewallet": ("Client credit", "ewallet"),
    "demo_program_blow_dry_package": ("10 blow-dry package", "loyalty"),
    "demo_program_spring_coupon": ("Spring colour campaign", "coupons"),
    "demo_program_members_discount": ("Members' 10% off", "promotion"),
    "demo_program_gift_card": ("Gift cards", "gift_card"),
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

    def test_camille_is_a_member(self):
        camille = self.ref("demo_partner_camille")
        self.assertIn(camille.membership_state, ("paid", "free"))
        for xml_id in ("demo_partner_sofia", "demo_partner_oliver"):
            self.assertEqual(self.ref(xml_id).membership_state, "none")

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

    # Cards ----------------------------------------------------------------

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
