# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import base_partner_merge_automatic_wizard  # noqa: F401
