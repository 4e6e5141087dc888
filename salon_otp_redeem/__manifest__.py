# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Salon OTP Redeem",
    "summary": "One-time code from the guest before the POS spends their loyalty, "
    "prepaid, coupon or membership balances",
    "version": "18.0.1.5.0",
    "category": "Point of Sale",
    "website": "https://github.com/salon-otp/salon_otp_redeem",
    "author": "salon_otp_redeem contributors",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": [
        "point_of_sale",
        "pos_loyalty",
        "membership",
        "sms",
        "phone_validation",
        "mail",
    ],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/salon_otp_security.xml",
        "security/ir.model.access.csv",
        "data/sms_template_data.xml",
        "data/mail_template_data.xml",
        "data/override_notice_template_data.xml",
        "data/ir_cron_data.xml",
        "views/res_config_settings_views.xml",
        "views/res_config_settings_whatsapp_views.xml",
        "views/loyalty_program_views.xml",
        "views/salon_otp_challenge_views.xml",
        "views/salon_otp_setting_change_views.xml",
        "views/res_partner_views.xml",
        "views/pos_order_views.xml",
    ],
    "demo": [
        "demo/salon_demo.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "salon_otp_redeem/static/src/**/*",
        ],
        "web.assets_tests": [
            "salon_otp_redeem/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
