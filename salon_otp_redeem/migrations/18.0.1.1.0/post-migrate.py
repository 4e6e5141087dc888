# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Code hashes are now keyed with Odoo's own database secret (tools.misc.hmac):
the addon's private secret is of no use any more, and a pending code hashed
with it could never be verified, so such challenges are expired."""


def migrate(cr, version):
    cr.execute(
        "DELETE FROM ir_config_parameter WHERE key = %s",
        ["salon_otp_redeem.hash_secret"],
    )
    cr.execute(
        "UPDATE salon_otp_challenge SET state = 'expired', code_hash = NULL "
        "WHERE state = 'pending'"
    )
