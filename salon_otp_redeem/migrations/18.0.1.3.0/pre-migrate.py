# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The challenge's currency is now stored (a verify rounds its amount without
reading the company). Filled here by one UPDATE, so that the upgrade does not
compute it record by record over a table of millions of authorizations."""


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'salon_otp_challenge' AND column_name = 'currency_id'"
    )
    if cr.fetchone():
        return
    cr.execute("ALTER TABLE salon_otp_challenge ADD COLUMN currency_id int4")
    cr.execute(
        """
        UPDATE salon_otp_challenge challenge
           SET currency_id = company.currency_id
          FROM res_company company
         WHERE company.id = challenge.company_id
        """
    )
