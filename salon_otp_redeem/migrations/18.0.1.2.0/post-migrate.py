# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A code sent is now a row of its own (salon.otp.code). Each past challenge
gets the row of what was sent for it (where it went, when, why not), so the
audit still says where past codes went; its hash is not kept. A challenge
still pending could never be verified without a hash on such a row: it is
expired. Then the columns the challenge no longer has are dropped, the old
code hashes with them (Odoo keeps a removed field's column)."""

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
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'salon_otp_challenge' AND column_name = ANY(%s)",
        [list(GONE)],
    )
    if len(cr.fetchall()) != len(GONE):
        return  # not the schema before the split
    cr.execute(
        "UPDATE salon_otp_challenge SET state = 'expired' WHERE state = 'pending'"
    )
    cr.execute(
        """
        INSERT INTO salon_otp_code (challenge_id, state, channel, destination_masked,
                                    failure_reason, code_length, alphabet, sent_at,
                                    resend_at, create_uid, create_date, write_uid,
                                    write_date)
        SELECT challenge.id,
               CASE WHEN challenge.sent_at IS NULL THEN 'failed' ELSE 'voided' END,
               challenge.channel, challenge.destination_masked,
               challenge.failure_reason, challenge.code_length, challenge.alphabet,
               challenge.sent_at, challenge.resend_at, challenge.create_uid,
               challenge.create_date, challenge.write_uid, challenge.write_date
          FROM salon_otp_challenge challenge
         WHERE challenge.code_id IS NULL
           AND (challenge.sent_at IS NOT NULL OR challenge.failure_reason IS NOT NULL)
        """
    )
    cr.execute(
        """
        UPDATE salon_otp_challenge challenge SET code_id = code.id
          FROM salon_otp_code code
         WHERE code.challenge_id = challenge.id AND challenge.code_id IS NULL
        """
    )
    for column in GONE:
        cr.execute(  # noqa: S608 - column names from the constant above
            f'ALTER TABLE salon_otp_challenge DROP COLUMN IF EXISTS "{column}"'
        )
