# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Salon test SMS provider",
    "summary": "Test-only: an SMS provider module, as salons install to replace IAP",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "salon_otp_redeem contributors",
    "website": "https://github.com/salon-otp/salon_otp_redeem",
    "license": "LGPL-3",
    "depends": ["sms"],
    "installable": True,
    "application": False,
}
