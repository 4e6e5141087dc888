# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The error codes of the JSON routes, as one exception type.

A UserError underneath, so that wherever one escapes (order sync, RPC) the
POS shows its message instead of a traceback.
"""

from odoo.exceptions import UserError

ERROR_CODES = frozenset(
    {
        "otp_disabled",
        "not_protected",
        "no_destination",
        "rate_limited",
        "send_failed",
        "expired",
        "locked",
        "superseded",
        "invalid_code",
        "override_not_allowed",
        "override_limit",
        "access_denied",
        "bad_request",
    }
)


class RedeemOtpError(UserError):
    def __init__(self, code, message, **details):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown redemption error code {code!r}")
        super().__init__(message)
        self.code = code
        self.details = details

    def to_json(self):
        return {
            "error": {"code": self.code, "message": str(self.args[0]), **self.details}
        }
