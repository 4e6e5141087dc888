#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Point the demo database at the demo's delivery stand-ins (scripts/demo_standins.py).

    python3 scripts/demo_configure.py --sms-endpoint URL --smtp-port N \\
        [--smtp-host H] [--override-code C] <odoo options: -d DB --db_host ...>

Prints the id of the demo salon's POS (the Front Desk), for the link
scripts/demo prints. Only scripts/demo runs it, on its own database: the
settings it writes send every message to a local page that shows codes, so
they must never reach a real salon's database, and no data file or model of
the addon holds them. ``configure_database`` is also what
tests/test_demo_delivery.py calls, so the test proves this very path.
"""

import argparse
import sys

DEFAULT_OVERRIDE_CODE = "135790"
MAIL_SERVER_NAME = "Demo guest phone (local SMTP sink)"
FRONT_DESK_XMLID = "salon_otp_redeem.demo_pos_config_front_desk"


class NotDemoDatabase(Exception):
    """The database has no demo data: it may be a real salon's."""


def configure_database(
    env, sms_endpoint, smtp_host, smtp_port, override_code=DEFAULT_OVERRIDE_CODE
):
    """Point one demo database at the stand-ins; return the Front Desk config.

    - ``sms.endpoint``: where the sms module's ``SmsApi`` sends (IAP by default);
    - an ``ir.mail_server`` on the SMTP sink, first in sequence;
    - the Front Desk (the demo salon's POS) allows the override, with a known
      code, set as a POS manager would (the admin user), so that the setting
      change log shows it like any other change.

    Idempotent: a second run updates the same parameter, server and code.
    Refuses a database without demo data (NotDemoDatabase).
    """
    base = env["ir.module.module"].sudo().search([("name", "=", "base")])
    front_desk = env.ref(FRONT_DESK_XMLID, raise_if_not_found=False)
    if not base.demo or not front_desk:
        raise NotDemoDatabase(
            f"database {env.cr.dbname} has no demo data of salon_otp_redeem: "
            "the delivery stand-ins are for the demo database only"
        )
    env["ir.config_parameter"].sudo().set_param("sms.endpoint", sms_endpoint)
    servers = env["ir.mail_server"].sudo().with_context(active_test=False)
    vals = {
        "name": MAIL_SERVER_NAME,
        "smtp_host": smtp_host,
        "smtp_port": int(smtp_port),
        "smtp_encryption": "none",
        "smtp_authentication": "login",
        "smtp_user": False,
        "smtp_pass": False,
        "from_filter": False,
        "sequence": 0,
        "active": True,
    }
    server = servers.search([("name", "=", MAIL_SERVER_NAME)], limit=1)
    if server:
        server.write(vals)
    else:
        servers.create(vals)
    config = front_desk.with_user(env.ref("base.user_admin"))
    config.write({"redeem_otp_allow_override": True})
    config.set_redeem_otp_override_code(override_code)
    return config


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Point the demo database at the demo's delivery stand-ins; "
        "other options go to Odoo.",
        allow_abbrev=False,
    )
    parser.add_argument("--sms-endpoint", required=True)
    parser.add_argument("--smtp-host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--override-code", default=DEFAULT_OVERRIDE_CODE)
    args, odoo_args = parser.parse_known_args(argv)

    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(odoo_args)
    if not config["db_name"]:
        sys.exit("demo_configure: give the database with -d")
    with Registry(config["db_name"]).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            pos_config = configure_database(
                env,
                args.sms_endpoint,
                args.smtp_host,
                args.smtp_port,
                args.override_code,
            )
        except NotDemoDatabase as exc:
            sys.exit(f"demo_configure: {exc}")
        print(pos_config.id)


if __name__ == "__main__":
    main()
