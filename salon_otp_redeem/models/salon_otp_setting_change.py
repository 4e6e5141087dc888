# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import trusted


class SalonOtpSettingChange(models.Model):
    """One change of a setting that decides how strongly balances are protected.

    A cashier who could switch a center's codes off would spend freely; so
    these settings are for Point of Sale managers only, and every change
    they make is kept here (who, when, old and new value) for the others.
    Rows are written by the server only and never edited.
    """

    _name = "salon.otp.setting.change"
    _description = "Redemption code setting change"
    _order = "create_date desc, id desc"

    @api.model
    def default_get(self, fields_list):  # pylint: disable=method-required-super
        """Server-set fields take only their own defaults (`trusted.field_defaults`).

        No super(): nothing of what it finds (the user's `ir.default` rows,
        the context's `default_*` keys) would be kept.
        """
        return trusted.field_defaults(self, fields_list)

    company_id = fields.Many2one("res.company", readonly=True, index=True)
    model = fields.Char(readonly=True, required=True)
    res_id = fields.Integer(string="Record", readonly=True, required=True)
    record_name = fields.Char(string="Where", readonly=True)
    field_name = fields.Char(string="Setting", readonly=True, required=True)
    old_value = fields.Char(string="Before", readonly=True)
    new_value = fields.Char(string="After", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Changed by",
        readonly=True,
        required=True,
        default=lambda self: self.env.user,
    )

    @api.model
    def _guard(self, records, vals, field_names):
        """Refuse a change of `field_names` by anyone but a POS manager; record it.

        Called from the records' own `write` with the values about to be
        written; returns the rows to create once the write succeeded.
        """
        changed = [name for name in field_names if name in vals]
        if not changed or not records:
            return []
        if not self.env.user._redeem_otp_is_manager():
            raise AccessError(
                self.env._(
                    "Only Point of Sale managers can change how redemption codes "
                    "protect balances (%(fields)s).",
                    fields=", ".join(records._fields[name].string for name in changed),
                )
            )
        rows = []
        for record in records.sudo():
            for name in changed:
                field = records._fields[name]
                old = field.convert_to_export(record[name], record)
                new = field.convert_to_export(
                    field.convert_to_record(
                        field.convert_to_cache(vals[name], record), record
                    ),
                    record,
                )
                if str(old) == str(new):
                    continue
                if field.groups:
                    # A secret (the WhatsApp token): that it changed, not to what.
                    old, new = "•••", "•••"
                rows.append(
                    {
                        "company_id": (
                            record.id
                            if record._name == "res.company"
                            else record.company_id.id
                        ),
                        "model": record._name,
                        "res_id": record.id,
                        "record_name": record.display_name,
                        "field_name": field.string,
                        "old_value": str(old),
                        "new_value": str(new),
                        "user_id": self.env.user.id,
                    }
                )
        return rows

    @api.model
    def _record(self, rows):
        if rows:
            self.sudo().create(rows)
