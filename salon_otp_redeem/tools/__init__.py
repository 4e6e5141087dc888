# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plain Python: ORM-free helpers that tests import directly, without a
database, and the sender (tools/sender.py), a plain class built with an
environment as the sms module's SmsApi is."""

from . import codes, errors, masking, phones, policy  # noqa: F401
