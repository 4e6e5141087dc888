# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, models
from odoo.exceptions import AccessError


class MailTemplate(models.Model):
    _inherit = "mail.template"

    # The addon's mails carry the code, the balance notice, the managers'
    # override alert and the guest's warning that their contact changed.
    # Odoo lets every employee edit every template once a salon turns
    # "Restrict Template Rendering" off: a cashier could then send the code
    # to their own server in an image link, or silence an alert. Only the
    # settings' administrators change these.

    def write(self, vals):
        self._redeem_otp_check_own_templates()
        return super().write(vals)

    def unlink(self):
        self._redeem_otp_check_own_templates()
        return super().unlink()

    def _update_field_translations(
        self, field_name, translations, digest=None, source_lang=None
    ):
        self._redeem_otp_check_own_templates()
        return super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )

    def _redeem_otp_check_own_templates(self):
        """Who the real user is, not whether the call runs as sudo (the data
        files and module updates run as the superuser itself)."""
        if (
            not self
            or self.env.uid == SUPERUSER_ID
            or self.env.user.has_group("base.group_system")
        ):
            return
        if (
            self.env["ir.model.data"]
            .sudo()
            .search_count(
                [
                    ("model", "=", self._name),
                    ("module", "=", "salon_otp_redeem"),
                    ("res_id", "in", self.ids),
                ],
                limit=1,
            )
        ):
            raise AccessError(
                self.env._("Only an administrator may change the redemption mails.")
            )
