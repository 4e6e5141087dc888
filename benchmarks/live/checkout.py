# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One checkout at the till, call by call, as the POS makes it.

Stock: pos_loyalty's validate_coupon_programs, then sync_from_ui, then
confirm_coupon_programs. With the addon the till first asks the decision
route, opens the code dialog (channels), asks for a code, verifies it and
reads the challenge back, then does the same three calls with the
challenge on the order. The floor is a bare authenticated read.
"""

import time

from .client import Orders, order_id
from .servers import BenchError

FLOOR = "floor (bare read)"
DECISION = "/decision"
CHANNELS = "/channels"
CHALLENGE = "/challenge"
# From the challenge's answer until /delivery says the code went out: the
# send after the response (the stand-in gateway answers at once).
DELIVERED = "code out (after /challenge)"
VERIFY = "/verify"
READ = "read challenge"
VALIDATE = "validate_coupon_programs"
SYNC = "sync_from_ui"
CONFIRM = "confirm_coupon_programs"

STOCK_CALLS = (FLOOR, VALIDATE, SYNC, CONFIRM)
ADDON_CALLS = (
    FLOOR,
    DECISION,
    CHANNELS,
    CHALLENGE,
    DELIVERED,
    VERIFY,
    READ,
    VALIDATE,
    SYNC,
    CONFIRM,
)
PATHS = {
    FLOOR: "/web/dataset/call_kw/res.partner/read",
    DECISION: "/salon_otp_redeem/decision",
    CHANNELS: "/salon_otp_redeem/channels",
    CHALLENGE: "/salon_otp_redeem/challenge",
    DELIVERED: "/salon_otp_redeem/delivery",
    VERIFY: "/salon_otp_redeem/verify",
    READ: "/web/dataset/call_kw/salon.otp.challenge/read",
    VALIDATE: "/web/dataset/call_kw/pos.order/validate_coupon_programs",
    SYNC: "/web/dataset/call_kw/pos.order/sync_from_ui",
    CONFIRM: "/web/dataset/call_kw/pos.order/confirm_coupon_programs",
}
CHALLENGE_FIELDS = [
    "state",
    "method",
    "channel",
    "destination_masked",
    "verified_at",
    "override_user_name",
]


class Till:
    """A logged-in POS user at one server, with the ids of the benchmark's salon."""

    def __init__(self, side, client, ids, sms=None):
        self.side = side
        self.client = client
        self.ids = ids
        self.orders = Orders(ids)
        self.sms = sms
        self.context = {
            "lang": "en_US",
            "tz": "UTC",
            "uid": client.uid,
            "allowed_company_ids": [ids["company_id"]],
        }

    def kw(self, model, method, args):
        return self.client.call_kw(model, method, args, {"context": self.context})

    def floor(self):
        return self.kw("res.partner", "read", [[self.ids["guest_id"]], ["name"]])

    # -- the addon's dialog -------------------------------------------
    def decision(self, order_uuid, reward_lines=1):
        ids = self.ids
        result, ms = self.client.post(
            DECISION_PATH,
            {
                "pos_config_id": ids["config_id"],
                "partner_id": ids["guest_id"],
                "order_uuid": order_uuid,
                "lines": self.orders.decision_lines(reward_lines),
                "amount_total": ids["service_price"] - self.orders.spend,
            },
        )
        if "error" in result or not result.get("needs_code"):
            raise BenchError(f"decision: {result}")
        return result, ms

    def channels(self):
        result, ms = self.client.post(
            CHANNELS_PATH,
            {
                "pos_config_id": self.ids["config_id"],
                "partner_id": self.ids["guest_id"],
            },
        )
        if not result.get("channels"):
            raise BenchError(f"channels: {result}")
        return result, ms

    def challenge(self, order_uuid):
        ids = self.ids
        mark = self.sms.mark()
        result, ms = self.client.post(
            CHALLENGE_PATH,
            {
                "pos_config_id": ids["config_id"],
                "partner_id": ids["guest_id"],
                "order_uuid": order_uuid,
                "redemptions": self.orders.redemptions(),
                "channel": "sms",
            },
        )
        if "error" in result:
            raise BenchError(f"challenge: {result['error']}")
        return result["challenge_id"], mark, ms

    def delivered(self, challenge_id, mark):
        """Ask /delivery until the code is out, as the POS dialog does; the
        code from the stand-in and the milliseconds it took."""
        started = time.perf_counter()
        for _ in range(400):
            result, _ms = self.client.post(
                DELIVERED_PATH, {"challenge_id": challenge_id}
            )
            if "error" in result:
                raise BenchError(f"delivery: {result['error']}")
            if result.get("delivery") != "sending":
                break
            time.sleep(0.005)
        else:
            raise BenchError("delivery: the code never went out")
        ms = (time.perf_counter() - started) * 1000.0
        code = self.sms.code_since(mark)
        if not code:
            raise BenchError("challenge: no code reached the SMS stand-in")
        return code, ms

    def verify(self, challenge_id, code):
        return self.client.post(
            VERIFY_PATH, {"challenge_id": challenge_id, "code": code}
        )

    def read_challenge(self, challenge_id):
        return self.client.call_kw(
            "salon.otp.challenge",
            "read",
            [[challenge_id], CHALLENGE_FIELDS],
            {"load": False, "context": self.context},
        )

    # -- pos_loyalty and the sync -------------------------------------
    def validate(self):
        result, ms = self.kw(
            "pos.order",
            "validate_coupon_programs",
            [[], self.orders.point_changes(), []],
        )
        if not result.get("successful"):
            raise BenchError(f"validate_coupon_programs: {result}")
        return result, ms

    def sync(self, order_uuid, reward_lines=1, challenge_id=None):
        payload = self.orders.payload(order_uuid, reward_lines, challenge_id)
        result, ms = self.client.call_kw(
            "pos.order", "sync_from_ui", [[payload]], {"context": self.context}
        )
        return order_id(result), ms

    def confirm(self, pos_order_id, order_uuid, reward_lines=1):
        return self.kw(
            "pos.order",
            "confirm_coupon_programs",
            [pos_order_id, self.orders.coupon_data(order_uuid, reward_lines)],
        )

    # -- a whole checkout -----------------------------------------------
    def checkout(self, timings=None, reward_lines=1, suffix=""):
        """One guest at the desk; records each call's milliseconds in `timings`."""

        def record(call, ms):
            if timings is not None:
                timings.add(self.side, call + suffix, ms)

        order_uuid = self.orders.new_uuid()
        record(FLOOR, self.floor()[1])
        challenge_id = None
        if self.sms is not None:
            record(DECISION, self.decision(order_uuid, reward_lines)[1])
            record(CHANNELS, self.channels()[1])
            challenge_id, mark, ms = self.challenge(order_uuid)
            record(CHALLENGE, ms)
            code, ms = self.delivered(challenge_id, mark)
            record(DELIVERED, ms)
            result, ms = self.verify(challenge_id, code)
            if result.get("state") != "verified":
                raise BenchError(f"verify: {result}")
            record(VERIFY, ms)
            record(READ, self.read_challenge(challenge_id)[1])
        record(VALIDATE, self.validate()[1])
        pos_order_id, ms = self.sync(order_uuid, reward_lines, challenge_id)
        record(SYNC, ms)
        result, ms = self.confirm(pos_order_id, order_uuid, reward_lines)
        if "coupon_updates" not in result:
            raise BenchError(f"confirm_coupon_programs: {result}")
        record(CONFIRM, ms)
        return pos_order_id


DECISION_PATH = PATHS[DECISION]
CHANNELS_PATH = PATHS[CHANNELS]
CHALLENGE_PATH = PATHS[CHALLENGE]
DELIVERED_PATH = PATHS[DELIVERED]
VERIFY_PATH = PATHS[VERIFY]
