# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Wrong override codes now count for an hour from the last one typed
(`override_failed_at`). Authorizations answered before knew only when they
were last changed: the safe side, a count that lasts no less."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE salon_otp_challenge
           SET override_failed_at = write_date
         WHERE override_failure_count > 0
           AND override_failed_at IS NULL
        """
    )
