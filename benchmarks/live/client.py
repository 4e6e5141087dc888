# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""JSON-RPC over HTTP as the POS sends it, timed from the client's side."""

import itertools
import time
import uuid as uuid_lib
from datetime import datetime, timezone

import requests


class RpcError(RuntimeError):
    """The server answered a JSON-RPC error (a refused call, not a crash of ours)."""

    def __init__(self, error):
        data = error.get("data") or {}
        super().__init__(data.get("message") or error.get("message") or str(error))
        self.name = data.get("name", "")


class RpcClient:
    """One logged-in browser: a requests session holding Odoo's session cookie."""

    _ids = itertools.count(1)

    def __init__(self, base_url, db, login, password):
        self.base_url = base_url
        self.db = db
        self.http = requests.Session()
        self.last_size = 0
        self.uid = self.post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )[0]["uid"]

    def clone(self):
        """Another connection with the same Odoo session (a second tab of the till)."""
        other = object.__new__(RpcClient)
        other.base_url, other.db, other.uid = self.base_url, self.db, self.uid
        other.http = requests.Session()
        other.http.cookies.update(self.http.cookies)
        other.last_size = 0
        return other

    def post(self, path, params, timeout=600):
        """(result, milliseconds); raises RpcError on a JSON-RPC error."""
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._ids),
            "params": params,
        }
        started = time.perf_counter()
        response = self.http.post(self.base_url + path, json=body, timeout=timeout)
        elapsed = (time.perf_counter() - started) * 1000
        self.last_size = len(response.content)
        response.raise_for_status()
        answer = response.json()
        if "error" in answer:
            raise RpcError(answer["error"])
        return answer["result"], elapsed

    def call_kw(self, model, method, args, kwargs=None):
        return self.post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


# ----------------------------------------------------------------------
# What the POS sends
# ----------------------------------------------------------------------
def now_string():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class Orders:
    """Orders of the benchmark's guest, spending `spend` of her e-wallet on a haircut."""

    def __init__(self, ids, spend=20.0):
        self.ids = ids
        self.spend = spend
        self.sequence = itertools.count(1)

    def new_uuid(self):
        return str(uuid_lib.uuid4())

    def reward_codes(self, order_uuid, reward_lines):
        return [f"{order_uuid[:8]}-{n}" for n in range(reward_lines)]

    def redemptions(self):
        """The challenge route's `redemptions`: what the dialog asks the code for."""
        ids = self.ids
        return [
            {
                "card_id": ids["card_id"],
                "program_id": ids["program_id"],
                "points": self.spend,
                "amount": self.spend,
            }
        ]

    def decision_lines(self, reward_lines=1):
        """The decision route's `lines`, as getRedeemOtpOrderLines builds them."""
        ids = self.ids
        price = ids["service_price"]
        each = self.spend / reward_lines
        return [
            {
                "product_id": ids["service_id"],
                "qty": 1,
                "price": price,
                "price_subtotal": price,
            },
            *[
                {
                    "reward_id": ids["reward_id"],
                    "card_id": ids["card_id"],
                    "points": each,
                    "price": -each,
                    "price_subtotal": -each,
                }
                for _n in range(reward_lines)
            ],
        ]

    def payload(self, order_uuid, reward_lines=1, challenge_id=None):
        """One order as PosStore.syncAllOrders serializes it, paid, cash for the rest."""
        ids = self.ids
        price = ids["service_price"]
        each = self.spend / reward_lines
        lines = [self._line(ids["service_id"], price)]
        for code in self.reward_codes(order_uuid, reward_lines):
            line = self._line(ids["reward_product_id"], -each)
            line[2].update(
                {
                    "is_reward_line": True,
                    "reward_id": ids["reward_id"],
                    "coupon_id": ids["card_id"],
                    "points_cost": each,
                    "reward_identifier_code": code,
                }
            )
            lines.append(line)
        total = price - self.spend
        data = {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": now_string(),
            "fiscal_position_id": False,
            "pricelist_id": ids["pricelist_id"],
            "name": f"Order {order_uuid}",
            "last_order_preparation_change": "{}",
            "lines": lines,
            "partner_id": ids["guest_id"],
            "session_id": ids["session_id"],
            "sequence_number": next(self.sequence),
            "payment_ids": [
                [
                    0,
                    0,
                    {
                        "amount": total,
                        "name": now_string(),
                        "payment_method_id": ids["payment_method_id"],
                    },
                ]
            ],
            "uuid": order_uuid,
            "user_id": ids["pos_user_id"],
            "to_invoice": False,
            "state": "paid",
            "access_token": uuid_lib.uuid4().hex,
        }
        if challenge_id:
            data["redeem_otp_challenge_id"] = challenge_id
        return data

    @staticmethod
    def _line(product_id, price):
        return [
            0,
            0,
            {
                "uuid": str(uuid_lib.uuid4()),
                "pack_lot_ids": [],
                "product_id": product_id,
                "qty": 1,
                "discount": 0.0,
                "price_unit": price,
                "price_subtotal": price,
                "price_subtotal_incl": price,
                "tax_ids": [[6, 0, []]],
            },
        ]

    def coupon_data(self, order_uuid, reward_lines=1):
        """confirm_coupon_programs' argument, as _postProcessLoyalty builds it."""
        ids = self.ids
        return {
            str(ids["card_id"]): {
                "points": -self.spend,
                "program_id": ids["program_id"],
                "coupon_id": ids["card_id"],
                "barcode": False,
                "expiration_date": False,
                "line_codes": self.reward_codes(order_uuid, reward_lines),
            }
        }

    def point_changes(self):
        """validate_coupon_programs' point changes: the card loses what the lines cost."""
        return {str(self.ids["card_id"]): -self.spend}


def order_id(sync_result):
    return sync_result["pos.order"][0]["id"]
