# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (  # noqa: F401
    res_company,
    res_config_settings,
    pos_config,
    loyalty_program,
    loyalty_card,
    res_partner,
    membership_membership_line,
    res_users,
    loyalty_history,
    salon_otp_setting_change,
    salon_otp_challenge,
    salon_otp_code,
    salon_otp_destination_change,
    pos_order,
    pos_order_line,
    pos_session,
)
