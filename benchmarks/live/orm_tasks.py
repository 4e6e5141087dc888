#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Data set-up run inside Odoo, one task per process, as `odoo shell` would.

    python3 orm_tasks.py TASK 'JSON params' -d DB [odoo options]

Prints one line `BENCH-RESULT {json}` and commits. The same code runs
against the stock database and the addon's, so both hold the same data;
only `with_addon` switches the addon's settings on.
"""

import json
import sys

RESULT_MARK = "BENCH-RESULT "
GUEST_MOBILE = "+33 6 12 34 56 78"
POS_LOGIN = "bench_pos"
BALANCE = 1_000_000.0


def start_odoo(odoo_args):
    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args)
    odoo.service.server.load_server_wide_modules()
    return odoo


def program(env, name, program_type):
    """A program with the defaults Odoo's form gives its type (the tests' helper)."""
    from odoo import Command

    existing = env["loyalty.program"].search([("name", "=", name)], limit=1)
    if existing:
        return existing
    defaults = env["loyalty.program"]._program_type_default_values()[program_type]
    vals = {"name": name, "program_type": program_type, **defaults}
    for command in vals.get("rule_ids", []):
        if len(command) == 3 and isinstance(command[2], dict):
            products = command[2].get("product_ids")
            if products is not None and hasattr(products, "ids"):
                command[2]["product_ids"] = [Command.set(products.ids)]
    return env["loyalty.program"].create(vals)


def payment_method(env, company, name="Bench cash", kind="cash"):
    """A payment method on the company's first journal of `kind` (cash or bank).

    Odoo gives each center its own cash method; a bank one can be shared.
    """
    method = env["pos.payment.method"].search(
        [("name", "=", name), ("company_id", "=", company.id)], limit=1
    )
    if method:
        return method
    domain = [("type", "=", kind), ("company_id", "=", company.id)]
    journal = env["account.journal"].search(domain, limit=1)
    if not journal:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
        journal = env["account.journal"].search(domain, limit=1)
    return env["pos.payment.method"].create(
        {"name": name, "journal_id": journal.id, "company_id": company.id}
    )


def pos_config(env, company, name, method):
    from odoo import Command

    config = env["pos.config"].search(
        [("name", "=", name), ("company_id", "=", company.id)], limit=1
    )
    if not config:
        config = (
            env["pos.config"]
            .with_company(company)
            .create(
                {
                    "name": name,
                    "company_id": company.id,
                    "payment_method_ids": [Command.set(method.ids)],
                }
            )
        )
    return config


def pos_user(env, company, login):
    from odoo import Command

    user = env["res.users"].search([("login", "=", login)], limit=1)
    if not user:
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"Cashier {login}",
                    "login": login,
                    "password": login,
                    "email": f"{login}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [
                        Command.set(
                            [
                                env.ref("base.group_user").id,
                                env.ref("point_of_sale.group_pos_user").id,
                            ]
                        )
                    ],
                }
            )
        )
    return user


def open_session(config, user):
    session = config.current_session_id
    if not session or session.state != "opened":
        config.with_user(user).open_ui()
        session = config.current_session_id
        session.with_user(user).set_opening_control(0, None)
    return session


# ----------------------------------------------------------------------
def task_setup(env, params):
    """The salon of the benchmark: a center, a cashier, a guest with e-wallet credit."""
    from odoo import Command

    with_addon = params["with_addon"]
    env["ir.config_parameter"].set_param("sms.endpoint", params["sms_endpoint"])
    company = env.ref("base.main_company")
    method = payment_method(env, company)
    service = env["product.product"].search([("name", "=", "Bench haircut")], limit=1)
    if not service:
        service = env["product.product"].create(
            {
                "name": "Bench haircut",
                "type": "service",
                "available_in_pos": True,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
    ewallet = program(env, "Bench e-wallet", "ewallet")
    reward = ewallet.reward_ids[:1]
    guest = env["res.partner"].search([("name", "=", "Bench Guest")], limit=1)
    if not guest:
        guest = env["res.partner"].create(
            {
                "name": "Bench Guest",
                "mobile": GUEST_MOBILE,
                "email": "bench.guest@example.com",
                "country_id": env.ref("base.fr").id,
            }
        )
    card = env["loyalty.card"].search(
        [("program_id", "=", ewallet.id), ("partner_id", "=", guest.id)], limit=1
    )
    if not card:
        card = env["loyalty.card"].create(
            {"program_id": ewallet.id, "partner_id": guest.id, "points": BALANCE}
        )
    elif card.points < BALANCE / 2:
        card.points = BALANCE
    user = pos_user(env, company, POS_LOGIN)
    config = pos_config(env, company, "Bench salon", method)
    if with_addon:
        company.write(
            {
                "redeem_otp_enabled": True,
                "redeem_otp_channel_sequence": "sms,email",
                "redeem_otp_max_sends_per_hour": 1_000_000,
                "redeem_otp_resend_seconds": 0,
            }
        )
        config.write(
            {"redeem_otp_required": True, "redeem_otp_max_sends_per_hour": 1_000_000}
        )
    session = open_session(config, user)
    return {
        "company_id": company.id,
        "config_id": config.id,
        "session_id": session.id,
        "pricelist_id": config.pricelist_id.id or False,
        "payment_method_id": method.id,
        "service_id": service.id,
        "service_price": service.lst_price,
        "program_id": ewallet.id,
        "reward_id": reward.id,
        "reward_product_id": reward.discount_line_product_id.id,
        "guest_id": guest.id,
        "card_id": card.id,
        "pos_user_id": user.id,
        "login": POS_LOGIN,
        "password": POS_LOGIN,
        "max_attempts": company.redeem_otp_max_attempts if with_addon else None,
    }


def task_duplicate(odoo, params):
    odoo.service.db.exp_duplicate_database(params["source"], params["target"])
    return {"done": True}


def guests(env, count, prefix):
    """`count` guests named `prefix NNNNN`, created in batches (only the missing ones)."""
    Partner = env["res.partner"].with_context(tracking_disable=True)
    existing = Partner.search([("name", "=like", f"{prefix} %")], order="name")
    france = env.ref("base.fr").id
    vals = [
        {
            "name": f"{prefix} {n:05d}",
            "mobile": f"+33 6 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d} 11",
            "email": f"guest{n:05d}@example.com",
            "country_id": france,
        }
        for n in range(len(existing), count)
    ]
    for start in range(0, len(vals), 1000):
        existing |= Partner.create(vals[start : start + 1000])
        env.cr.commit()
    return existing[:count]


def cards(env, partners, prog, points):
    """One card of `prog` per partner that has none."""
    Card = env["loyalty.card"].with_context(tracking_disable=True)
    have = set(Card.search([("program_id", "=", prog.id)]).mapped("partner_id").ids)
    vals = [
        {"program_id": prog.id, "partner_id": partner.id, "points": points}
        for partner in partners
        if partner.id not in have
    ]
    for start in range(0, len(vals), 1000):
        Card.create(vals[start : start + 1000])
        env.cr.commit()


def task_populate_load(env, params):
    """Guests and cards for the POS start-up: every guest has an e-wallet and a loyalty card."""
    people = guests(env, params["guests"], "Load guest")
    ewallet = program(env, "Bench e-wallet", "ewallet")
    loyalty = program(env, "Bench loyalty", "loyalty")
    cards(env, people, ewallet, 25.0)
    cards(env, people, loyalty, 120.0)
    return {
        "guests": len(people),
        "cards": env["loyalty.card"].search_count(
            [("program_id", "in", (ewallet | loyalty).ids)]
        ),
        "partners": env["res.partner"].search_count([]),
    }


def task_history_actors(env, params):
    """Centers, cashiers and guests (with cards) for a realistic spread of history.

    A second company with its own center, so that the table mixes
    companies as a multi-company database does.
    """
    company = env.ref("base.main_company")
    method = payment_method(env, company, "Bench card", "bank")
    configs = env["pos.config"].search([("name", "=", "Bench salon")])
    for n in range(2, params["centers"] + 1):
        configs |= pos_config(env, company, f"Bench salon {n}", method)
    other = env["res.company"].search([("name", "=", "Bench second salon")], limit=1)
    if not other:
        # In the first company's country: another would have its chart and
        # localization installed, for this database only (France's POS
        # certification: an unindexed look-up of the previous order at every
        # sync, which the history's orders would make costly), and the
        # history would be measured with modules the empty side lacks.
        other = env["res.company"].create(
            {"name": "Bench second salon", "country_id": company.country_id.id}
        )
        # Committing runs the account module's hook that gives it a chart.
        env.cr.commit()
    if not env["stock.warehouse"].search([("company_id", "=", other.id)]):
        # Odoo creates it for a new company only in tests or from the settings.
        env["stock.warehouse"].create({"company_id": other.id, "code": "BSS"})
    other_method = payment_method(env, other, "Bench card 2", "bank")
    other_config = pos_config(env, other, "Bench second salon", other_method)
    users = env["res.users"]
    for n in range(1, params["cashiers"] + 1):
        users |= pos_user(env, company, f"bench_cashier{n}")
    people = guests(env, params["guests"], "History guest")
    ewallet = program(env, "Bench e-wallet", "ewallet")
    cards(env, people, ewallet, 25.0)
    card_by_partner = {
        card.partner_id.id: card.id
        for card in env["loyalty.card"].search(
            [("program_id", "=", ewallet.id), ("partner_id", "in", people.ids)]
        )
    }
    return {
        "companies": [company.id] * len(configs) + [other.id],
        "configs": configs.ids + other_config.ids,
        "users": users.ids,
        "partners": people.ids,
        "cards": [card_by_partner[p] for p in people.ids],
    }


def main():
    task, params = sys.argv[1], json.loads(sys.argv[2])
    odoo = start_odoo(sys.argv[3:])
    if task == "duplicate":
        result = task_duplicate(odoo, params)
    else:
        from odoo import SUPERUSER_ID, api
        from odoo.tools import config

        registry = odoo.modules.registry.Registry(config["db_name"])
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = globals()[f"task_{task}"](env, params)
            cr.commit()
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
