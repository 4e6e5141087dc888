# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""ORM-free helpers: tests import these directly, without a database."""

from . import codes, errors, masking, phones, policy  # noqa: F401
