# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A refund now takes back what its sale earned on each card, recorded by the
points call (`redeem_otp_points_earned`), not what the sale left on the card
once its own rewards were spent. Orders confirmed before knew only the
latter: their earnings are the cards they added to, as before."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE pos_order
           SET redeem_otp_points_earned = (
                   SELECT COALESCE(jsonb_object_agg(key, value), '{}'::jsonb)::text
                     FROM jsonb_each(redeem_otp_points_moved::jsonb)
                    WHERE (value #>> '{}')::float > 0
               )
         WHERE redeem_otp_points_moved IS NOT NULL
           AND redeem_otp_points_earned IS NULL
        """
    )
