# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A code sent is now a row of its own (salon.otp.code). A challenge still
pending has no such row, so it could never be verified: it is expired, and
the columns the challenge no longer has are dropped, the old code hashes
with them (Odoo keeps a removed field's column)."""

GONE = (
    "code_hash",
    "code_length",
    "alphabet",
    "resend_at",
    "destination_masked",
    "failure_reason",
    "sent_at",
)


def migrate(cr, version):
    cr.execute(
        "UPDATE salon_otp_challenge SET state = 'expired' WHERE state = 'pending'"
    )
    for column in GONE:
        cr.execute(  # noqa: S608 - column names from the constant above
            f'ALTER TABLE salon_otp_challenge DROP COLUMN IF EXISTS "{column}"'
        )
