# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Company and center settings: bounds, and the override code never stored in clear."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TransactionCase


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.config = cls.env["pos.config"].create({"name": "Settings test center"})

    def test_company_bounds_are_enforced(self):
        for field, value in (
            ("redeem_otp_validity_minutes", 0),
            ("redeem_otp_validity_minutes", 11),
            ("redeem_otp_code_length", 3),
            ("redeem_otp_code_length", 11),
            ("redeem_otp_max_attempts", 0),
            ("redeem_otp_max_sends_per_hour", 0),
            ("redeem_otp_channel_sequence", "sms,fax"),
            ("redeem_otp_channel_sequence", "sms,sms"),
            ("redeem_otp_channel_sequence", " , "),
        ):
            with (
                self.subTest(field=field, value=value),
                self.assertRaises(ValidationError),
            ):
                self.company.write({field: value})
        self.company.write(
            {
                "redeem_otp_validity_minutes": 10,
                "redeem_otp_channel_sequence": "email, sms",
            }
        )
        self.assertEqual(self.company._redeem_otp_channels(), ("email", "sms"))

    def test_defaults(self):
        company = self.env["res.company"].create({"name": "New salon"})
        self.assertTrue(company.redeem_otp_enabled)
        self.assertEqual(company.redeem_otp_validity_minutes, 5)
        self.assertEqual(company.redeem_otp_code_length, 6)
        self.assertEqual(company.redeem_otp_alphabet, "numeric")
        self.assertEqual(company.redeem_otp_max_attempts, 5)
        self.assertEqual(company.redeem_otp_resend_seconds, 30)
        self.assertEqual(company.redeem_otp_max_sends_per_hour, 5)
        self.assertEqual(company.redeem_otp_channel_sequence, "sms,email")
        self.assertTrue(self.config.redeem_otp_required)
        self.assertFalse(self.config.redeem_otp_allow_override)
        self.assertEqual(self.config.redeem_otp_override_daily_limit, 3)

    def test_override_code_from_settings_is_hashed_and_not_kept(self):
        settings = self.env["res.config.settings"].create(
            {
                "pos_config_id": self.config.id,
                "pos_redeem_otp_allow_override": True,
                "pos_redeem_otp_new_override_code": "Front-Desk-2026",
            }
        )
        settings.execute()
        self.assertTrue(self.config.redeem_otp_override_set)
        self.assertTrue(self.config._redeem_otp_check_override("Front-Desk-2026"))
        self.assertFalse(self.config._redeem_otp_check_override("front-desk-2026"))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT redeem_otp_override_hash FROM pos_config WHERE id = %s",
            [self.config.id],
        )
        stored = self.env.cr.fetchone()[0]
        self.assertNotIn("Front-Desk-2026", stored)
        self.assertTrue(stored.startswith("$pbkdf2-sha512$"))
        field = self.env["res.config.settings"]._fields[
            "pos_redeem_otp_new_override_code"
        ]
        self.assertFalse(field.store, "a transient row would keep the clear code")

    def test_removing_the_override_code(self):
        self.config.set_redeem_otp_override_code("Front-Desk-2026")
        self.config.set_redeem_otp_override_code("")
        self.assertFalse(self.config.redeem_otp_override_set)
        self.assertFalse(self.config._redeem_otp_check_override("Front-Desk-2026"))
        with self.assertRaises(ValidationError):
            self.config.set_redeem_otp_override_code("123")

    def test_override_code_states_its_length_rule(self):
        field = self.env["res.config.settings"]._fields[
            "pos_redeem_otp_new_override_code"
        ]
        self.assertIn("6 to 32 characters", field.help)
        with self.assertRaisesRegex(
            ValidationError, r"not saved.*between 6 and 32 characters.*typed has 4"
        ):
            self.config.set_redeem_otp_override_code("1234")
        self.assertFalse(self.config.redeem_otp_override_set)

    def settings(self, **vals):
        return self.env["res.config.settings"].create(
            {"pos_config_id": self.config.id, **vals}
        )

    def test_channel_order_is_picked_per_position(self):
        self.company.redeem_otp_channel_sequence = "sms,email"
        settings = self.settings()
        self.assertEqual(
            (
                settings.redeem_otp_channel_1,
                settings.redeem_otp_channel_2,
                settings.redeem_otp_channel_3,
            ),
            ("sms", "email", False),
        )
        self.settings(
            redeem_otp_channel_1="email",
            redeem_otp_channel_2=False,
            redeem_otp_channel_3="sms",
        ).execute()
        # Stored as before: the text the company always kept.
        self.assertEqual(self.company.redeem_otp_channel_sequence, "email,sms")
        self.assertEqual(self.company._redeem_otp_channels(), ("email", "sms"))
        change = self.env["salon.otp.setting.change"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.assertEqual(
            (change.old_value, change.new_value), ("sms,email", "email,sms")
        )

    def test_channel_order_refuses_a_channel_twice_or_none(self):
        with self.assertRaisesRegex(ValidationError, "SMS is chosen twice"):
            self.settings(redeem_otp_channel_1="sms", redeem_otp_channel_2="sms")
        with self.assertRaisesRegex(ValidationError, "at least one channel"):
            self.settings(
                redeem_otp_channel_1=False,
                redeem_otp_channel_2=False,
                redeem_otp_channel_3=False,
            )

    def test_center_settings_name_their_point_of_sale(self):
        other = self.env["pos.config"].create({"name": "Salon Lyon"})
        self.assertEqual(self.settings().redeem_otp_center_name, "Settings test center")
        settings = self.env["res.config.settings"].create({"pos_config_id": other.id})
        self.assertEqual(settings.redeem_otp_center_name, "Salon Lyon")
