# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (  # noqa: F401
    res_company,
    res_config_settings,
    pos_config,
    loyalty_program,
    loyalty_card,
    res_partner,
    salon_otp_sender,
    salon_otp_whatsapp,
    salon_otp_policy,
    salon_otp_alert,
    salon_otp_notice,
    salon_otp_challenge,
    pos_order,
)
