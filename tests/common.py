"""Base classes for the tests of salon_otp_redeem.

The tests live at the repository root, outside ``odoo.addons``, so Odoo's
``MetaCase`` does not give their classes the attributes it gives addon tests
(``test_tags``, ``test_module``...), and ``BaseCase.setUpClass`` needs
``test_tags``. These classes set them; tests/conftest.py also fills them in
for any Odoo test class that does not derive from these.
"""

from odoo.tests import common

MODULE = "salon_otp_redeem"


class _SalonCase:
    test_module = MODULE
    test_tags = {"standard", "at_install"}
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_class = cls.__name__


class TransactionCase(_SalonCase, common.TransactionCase):
    """``odoo.tests.TransactionCase`` for this repository's tests."""


class HttpCase(_SalonCase, common.HttpCase):
    """``odoo.tests.HttpCase`` for this repository's tests."""
