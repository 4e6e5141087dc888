# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..tools import policy

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "point_of_sale.group_pos_manager"
TODO_TYPE = "mail.mail_activity_data_todo"


class SalonOtpAlert(models.AbstractModel):
    """Tells the managers and the guest about events worth a look.

    Managers get a to-do activity on the challenge (it shows in their
    activity menu and on the audit report); the guest gets a short message
    after every override. An alert never undoes what raised it: failures are
    logged, not raised.
    """

    _name = "salon.otp.alert"
    _description = "Redemption alerts"

    @api.model
    def _redeem_otp_after_override(self, challenge):
        challenge = challenge.sudo()
        self._redeem_otp_notify_override(challenge)
        config = challenge.pos_config_id
        day_start = self.env["salon.otp.challenge"]._redeem_otp_day_start(
            challenge.company_id, fields.Datetime.now()
        )
        used = (
            self.env["salon.otp.challenge"]
            .sudo()
            .search_count(
                [
                    ("pos_config_id", "=", config.id),
                    ("method", "=", "override"),
                    ("verified_at", ">=", day_start),
                ]
            )
        )
        if policy.override_limit_reached(used, config.redeem_otp_override_daily_limit):
            self._redeem_otp_alert_managers(
                challenge,
                _("Override limit reached at %(center)s", center=config.name),
                _(
                    "%(center)s used its %(limit)s override codes for today; the last one by "
                    "%(user)s: %(reason)s",
                    center=config.name,
                    limit=config.redeem_otp_override_daily_limit,
                    user=challenge.override_user_id.name or challenge.user_id.name,
                    reason=challenge.override_reason or "",
                ),
            )

    @api.model
    def _redeem_otp_after_lock(self, challenge):
        challenge = challenge.sudo()
        self._redeem_otp_alert_managers(
            challenge,
            _(
                "Redemption code locked at %(center)s",
                center=challenge.pos_config_id.name,
            ),
            _(
                "%(attempts)s wrong codes were typed for %(guest)s (%(what)s) by %(user)s.",
                attempts=challenge.attempt_count,
                guest=challenge.partner_id.display_name,
                what=challenge.redemption_summary or "",
                user=challenge.user_id.name,
            ),
        )

    @api.model
    def _redeem_otp_after_send_failure(self, challenge):
        challenge = challenge.sudo()
        config = challenge.pos_config_id
        threshold = challenge.company_id.redeem_otp_failed_send_alert
        failed = (
            self.env["salon.otp.challenge"]
            .sudo()
            .search_count(
                [
                    ("pos_config_id", "=", config.id),
                    ("state", "=", "failed"),
                    ("create_date", ">=", fields.Datetime.now() - timedelta(hours=1)),
                ]
            )
        )
        if policy.failed_sends_alert(failed, threshold):
            self._redeem_otp_alert_managers(
                challenge,
                _("Codes not sent at %(center)s", center=config.name),
                _(
                    "%(count)s codes could not be sent at %(center)s in the last hour; "
                    "the last reason: %(reason)s",
                    count=failed,
                    center=config.name,
                    reason=challenge.failure_reason or "",
                ),
            )

    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_managers(self, company):
        group = self.env.ref(MANAGER_GROUP)
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.id),
                    ("company_ids", "in", company.id),
                    ("share", "=", False),
                ]
            )
        )

    @api.model
    def _redeem_otp_alert_managers(self, challenge, summary, note):
        """One to-do per POS manager of the challenge's company, on the challenge."""
        managers = self._redeem_otp_managers(challenge.company_id)
        _logger.warning(
            "Redemption alert on challenge %s (POS %s): %s",
            challenge.id,
            challenge.pos_config_id.id,
            summary,
        )
        record = challenge.sudo()
        for user in managers:
            record.activity_schedule(
                TODO_TYPE, summary=summary, note=note, user_id=user.id
            )
        return managers

    @api.model
    def _redeem_otp_notify_override(self, challenge):
        """Tell the guest a staff override spent their balance, on the first channel that works."""
        try:
            channel = self.env["salon.otp.sender"]._send_notice(
                challenge.partner_id,
                challenge.company_id,
                challenge,
                {
                    "sms": "salon_otp_redeem.sms_template_redeem_override",
                    "email": "salon_otp_redeem.mail_template_redeem_override",
                },
                {},
                f"Override notice for challenge {challenge.id}",
            )
        except Exception:  # noqa: BLE001 - a notice never undoes the override
            _logger.exception("Override notice for challenge %s failed", challenge.id)
            return None
        if not channel:
            _logger.warning(
                "Override notice for challenge %s: no channel reached the guest",
                challenge.id,
            )
        return channel
