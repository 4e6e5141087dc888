from odoo.tests import tagged

from .common import MODULE, HttpCase, TransactionCase


class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", MODULE)])
        self.assertEqual(len(module), 1, f"{MODULE} is not in ir.module.module")
        self.assertEqual(module.state, "installed")

    def test_dependencies_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", MODULE)])
        dependencies = module.dependencies_id
        self.assertTrue(dependencies, f"{MODULE} declares no dependencies")
        for dependency in dependencies:
            self.assertEqual(
                dependency.state, "installed", f"{dependency.name} is not installed"
            )
        self.assertIn("point_of_sale", dependencies.mapped("name"))

    def test_history_lookups_indexed(self):
        """What every sync and code request looks up grows with the salon's
        history: orders by uuid, a card's loyalty history by card."""
        for table, column in (
            ("pos_order", "uuid"),
            ("loyalty_history", "card_id, order_id"),
        ):
            self.env.cr.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            definitions = [row[0] for row in self.env.cr.fetchall()]
            self.assertTrue(
                any(f"({column})" in definition for definition in definitions),
                f"no index on {table}.{column}: {definitions}",
            )


@tagged("post_install", "-at_install")
class TestInstallHttp(HttpCase):
    def test_login_page(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
