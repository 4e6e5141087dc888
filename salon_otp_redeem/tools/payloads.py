# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parsing of what the POS sends, with no ORM.

The POS is not trusted: JSON-RPC accepts the bare tokens NaN and Infinity,
which compare false against every limit, and Python turns any number into a
float silently. Every number that reaches a balance goes through here first.
"""

import json
import math

from odoo.fields import Command

# Far above any balance a salon holds, far below what floats lose precision on.
MAX_POINTS = 1e9
MAX_ID = 2**31 - 1
# The POS numbers what it creates itself (new cards) with large negative ids.
MAX_TEMP_ID = 2**53


class PayloadError(ValueError):
    """What the POS sent cannot be a real order or redemption."""


# What stock code raises when it reads a payload of the wrong shape.
SHAPE_ERRORS = (IndexError, KeyError, TypeError, ValueError)


def number(value, *, minimum=None, maximum=MAX_POINTS, what="number"):
    """A finite float within bounds; booleans and strings are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError(f"{what} is not a number")
    try:
        value = float(value)
    except OverflowError:
        raise PayloadError(f"{what} is too large") from None
    if not math.isfinite(value):
        raise PayloadError(f"{what} is not finite")
    if abs(value) > maximum:
        raise PayloadError(f"{what} is too large")
    if minimum is not None and value < minimum:
        raise PayloadError(f"{what} is below {minimum}")
    return value


def record_id(value, *, negative=False, what="id"):
    """A database id (or, with `negative`, the POS's temporary negative id)."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{what} is not an id")
    if value > MAX_ID or value < (-MAX_TEMP_ID if negative else 0):
        raise PayloadError(f"{what} is out of range")
    return value


def optional_id(value, what="id"):
    """An id or nothing (False, None, 0)."""
    if value in (None, False, 0):
        return False
    return record_id(value, what=what)


def coupon_changes(coupon_data):
    """Validate pos_loyalty's `confirm_coupon_programs` argument.

    Returns {card key: points change}; the values keep every other key the
    stock method reads, but their numbers and ids are checked here and
    written back as numbers. Stock searches a guest's cards with the
    `partner_id` it is given, and a domain given text for a many2one
    searches by name: "990001" would find the guest whose reference is
    990001, not guest 990001, whose cards the server locked and checks
    (review 51).
    """
    if not isinstance(coupon_data, dict) or len(coupon_data) > 200:
        raise PayloadError("coupon data must be an object of at most 200 cards")
    changes = {}
    for key, vals in coupon_data.items():
        card_key = record_id(key, negative=True, what="card")
        if not card_key:
            raise PayloadError("card 0 does not exist")
        if not isinstance(vals, dict):
            raise PayloadError("each card's change must be an object")
        vals["program_id"] = record_id(vals.get("program_id"), what="program")
        for name, what in (("partner_id", "partner"), ("giftCardId", "gift card")):
            if name in vals:
                vals[name] = optional_id(vals[name], what=what)
        if vals.get("coupon_id") not in (None, False):
            vals["coupon_id"] = record_id(vals["coupon_id"], negative=True, what="card")
        line_codes = vals.get("line_codes", [])
        if not isinstance(line_codes, list) or not all(
            isinstance(code, str) for code in line_codes
        ):
            raise PayloadError("line codes must be a list of strings")
        for name in ("code", "barcode", "expiration_date", "date_to"):
            if vals.get(name) not in (None, False) and not isinstance(vals[name], str):
                raise PayloadError(f"{name} must be text")
        if "points" not in vals:
            raise PayloadError("each card's change needs its points")
        changes[card_key] = vals["points"] = number(vals["points"], what="points")
    return changes


ORDER_STATES = ("draft", "paid", "done", "invoiced", "cancel")


LINE_NUMBERS = (
    "qty",
    "price_unit",
    "price_subtotal",
    "price_subtotal_incl",
    "discount",
    "points_cost",
    "amount",
)


# The lists a line's values may hold, and the commands each may carry: the
# sync applies them as the server, so a command inside a line could rewrite,
# delete or add a line of another, paid order (`refund_orderline_ids`).
# Links to taxes and attribute values; new lot and custom-value rows; combo
# links, which stock clears before it saves the line.
LINE_LISTS = {
    "tax_ids": (3, 4, 5, 6),
    "attribute_value_ids": (3, 4, 5, 6),
    "pack_lot_ids": (0, 5),
    "custom_attribute_value_ids": (0, 5),
    "combo_line_ids": (4, 5, 6),
}


# Fields of a line or a payment that only the server sets: a payment's journal
# entry is made by stock's invoice at the till (review 32).
SERVER_SET = {"lines": (), "payment_ids": ("account_move_id",)}


def _flat_values(vals, temporary=(), lists=None):
    """No nested objects, every `*_id` an id (`temporary` may be a POS one),
    and, where `lists` ({name: commands allowed}) is given, no list but those,
    holding only those commands, on new rows with flat values (an empty list
    is no change)."""
    for name, value in vals.items():
        if isinstance(value, dict):
            raise PayloadError(f"{name} cannot be an object")
        if name.endswith("_id") and value not in (None, False):
            record_id(value, negative=name in temporary, what=name)
        if lists is not None and isinstance(value, (list, tuple)) and value:
            allowed = lists.get(name, ())
            for command in value:
                if name == "combo_line_ids" and not isinstance(command, (list, tuple)):
                    record_id(command, what=name)  # the POS's plain ids
                    continue
                if not isinstance(command, (list, tuple)) or not command:
                    raise PayloadError(f"{name}: unexpected list")
                if command[0] not in allowed or isinstance(command[0], bool):
                    raise PayloadError(f"{name}: this command is not accepted here")
                if command[0] == 0 and (
                    len(command) != 3 or not isinstance(command[2], dict)
                ):
                    raise PayloadError(f"{name}: a new row needs its values")
                if command[0] == 0:
                    _flat_values(command[2], lists={})


def order_numbers(order):
    """Check the shape and numbers of one order sent to `sync_from_ui`.

    Stock code trusts the shape and fails with a traceback on anything else;
    the POS gets a clean refusal instead.
    """
    if not isinstance(order, dict):
        raise PayloadError("an order must be an object")
    record_id(order.get("session_id"), what="session")
    state = order.get("state", "draft")
    if not isinstance(state, str) or state not in ORDER_STATES:
        raise PayloadError("unknown order state")
    _flat_values(order)
    for name in ("amount_total", "amount_paid", "amount_tax", "amount_return"):
        if name in order:
            number(order[name], what=name)
    for field in ("lines", "payment_ids"):
        commands = order.get(field, [])
        if not isinstance(commands, list):
            raise PayloadError(f"{field} must be a list")
        for command in commands:
            # ORM commands: (0|1, id, values); (2|3|4, id) as the POS sends
            # deletions and links; (5,) and (6, 0, ids).
            if (
                not isinstance(command, (list, tuple))
                or not 1 <= len(command) <= 3
                or isinstance(command[0], bool)
                or command[0] not in range(7)
            ):
                raise PayloadError(f"{field} must hold ORM commands")
            if command[0] in (0, 1) and (
                len(command) != 3 or not isinstance(command[2], dict)
            ):
                raise PayloadError(f"{field}: a line's values must be an object")
            vals = command[2] if len(command) == 3 else None
            if not isinstance(vals, dict):
                continue
            # Cards the order creates have the POS's negative ids.
            lists = LINE_LISTS if field == "lines" else {}
            _flat_values(vals, temporary=("coupon_id",), lists=lists)
            if any(vals.get(name) for name in SERVER_SET[field]):
                raise PayloadError(f"{field}: the server books payments")
            for name in LINE_NUMBERS:
                if vals.get(name) not in (None, False):
                    number(vals[name], what=name)
        ids_named(order, field)  # what the commands name are ids


def written_through(vals, fields_of, model):
    """The values, at any depth of the commands, that write another record:
    dotted names, as `lines.pack_lot_ids.order_id`.

    A related field that is not read-only writes its target (the order's
    center is its session's, a lot row's order is its line's), and the sync
    writes as the server, past the target's own guards (review 54). The POS
    never sends such fields: it leaves out related and computed ones.
    `fields_of(model)` gives (the names of the model's fields that write
    through, {name of a list field: its model}); `vals` passed
    `order_numbers`.
    """
    through, lists = fields_of(model)
    found = [name for name in vals if name in through]
    for name, comodel in lists.items():
        commands = vals.get(name)
        if not isinstance(commands, (list, tuple)):
            continue
        for command in commands:
            if (
                isinstance(command, (list, tuple))
                and len(command) == 3
                and command[0] in (0, 1)
                and isinstance(command[2], dict)
            ):
                found += [
                    f"{name}.{inner}"
                    for inner in written_through(command[2], fields_of, comodel)
                ]
    return found


def links_only(commands, linked):
    """Whether a list field's commands only link records it holds already.

    Stock's till sends an order's pickings, messages and followers back as
    links to what it loaded; any other command (set, create, update,
    unlink, a link to another order's record) would be applied as the
    server (review 55). Empty or absent commands change nothing.
    """
    if not commands:
        return True
    return isinstance(commands, list) and all(
        isinstance(command, (list, tuple))
        and len(command) == 2
        and command[0] == 4
        and command[1] in linked
        for command in commands
    )


def ids_named(order, field="lines"):
    """Ids of saved records that the commands of an order's `field` (its
    lines, its payments), checked by `order_numbers`, name: updated, deleted,
    unlinked, linked or set.

    The sync applies the commands as sent, under the server's trust, so a
    command naming another order's line or payment would rewrite, move or
    delete it (see `_redeem_otp_check_synced_by` of pos.order.line and
    pos.payment).
    """
    ids = set()
    for command in order.get(field) or []:
        if command[0] in (1, 2, 3, 4):
            if len(command) < 2:
                raise PayloadError(f"{field}: a command on a record needs its id")
            ids.add(record_id(command[1], what=field))
        elif command[0] == 6:
            named = command[2] if len(command) == 3 else None
            if not isinstance(named, (list, tuple)):
                raise PayloadError(f"{field}: a set command needs a list of ids")
            ids.update(record_id(record, what=field) for record in named)
    return ids


# The field of a line or a payment that names its order.
PARENT_FIELDS = {"lines": "order_id", "payment_ids": "pos_order_id"}


def parents_named(order, field):
    """The orders that update commands of an order's lines or payments move
    them to (a new row's order is the one it is made in, whatever it says)."""
    parent = PARENT_FIELDS[field]
    return {
        command[2][parent]
        for command in order.get(field) or []
        if command[0] == 1 and command[2].get(parent)
    }


def method_changes_only(commands):
    """Whether payment commands only give saved payments another method, as
    stock's "Edit Payment" at the till does (None or empty: no)."""
    return bool(commands) and all(
        isinstance(command, (list, tuple))
        and len(command) == 3
        and command[0] == 1
        and isinstance(command[2], dict)
        and set(command[2]) == {"payment_method_id"}
        for command in commands
    )


def redemptions(items):
    """The challenge route's list of what the POS will redeem, checked.

    Each item: card_id (0 or absent for a program without a card),
    program_id, points and amount, none negative. Items of one card and
    program are added up into one.
    """
    if not isinstance(items, list) or not items or len(items) > 50:
        raise PayloadError("the list is missing or longer than 50")
    merged = {}
    for item in items:
        if not isinstance(item, dict) or "program_id" not in item:
            raise PayloadError("each redemption needs a program")
        line = {
            "card_id": optional_id(item.get("card_id"), what="card") or 0,
            "program_id": record_id(item["program_id"], what="program"),
            "points": number(item.get("points") or 0.0, minimum=0.0, what="points"),
            "amount": number(item.get("amount") or 0.0, minimum=0.0, what="amount"),
        }
        # One line per card and program, as the code authorizes them: the
        # guest is told each card's whole spend, not a list of small parts.
        same = merged.setdefault((line["card_id"], line["program_id"]), line)
        if same is not line:
            same["points"] += line["points"]
            same["amount"] += line["amount"]
    return list(merged.values())


def decision_lines(items):
    """The decision route's order lines, checked.

    Reward lines: reward_id, card_id, points, price. Sale lines (what the
    order earns points on): product_id, qty, price. Prices tax included;
    price_subtotal (untaxed) defaults to the price.
    """
    if not isinstance(items, list) or len(items) > 500:
        raise PayloadError("the lines are missing or more than 500")
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise PayloadError("each line must be an object")
        price = number(item.get("price") or 0.0, what="price")
        line = {
            "price": price,
            "price_subtotal": number(
                item.get("price_subtotal", price) or 0.0, what="price"
            ),
        }
        if item.get("reward_id"):
            line.update(
                reward_id=record_id(item["reward_id"], what="reward"),
                # A card the order creates has the POS's negative id: no card yet.
                card_id=max(
                    record_id(item.get("card_id") or 0, negative=True, what="card"), 0
                ),
                points=number(item.get("points") or 0.0, what="points"),
            )
        else:
            line.update(
                product_id=record_id(item.get("product_id"), what="product"),
                qty=number(item.get("qty") or 0.0, what="quantity"),
                combo_parent=combo_parent(item, parsed),
            )
        parsed.append(line)
    return parsed


def combo_parent(item, parsed):
    """The index among the lines before it of the combo a sale line is an item
    of, or None: an earlier sale line that is no combo item itself."""
    index = item.get("combo_parent", -1)
    if index is None or index == -1:
        return None
    if (
        not isinstance(index, int)
        or isinstance(index, bool)
        or not 0 <= index < len(parsed)
        or "product_id" not in parsed[index]
        or parsed[index]["combo_parent"] is not None
    ):
        raise PayloadError("a combo item must name an earlier sale line as its combo")
    return index


def per_card(text):
    """Points per card id from what the server stored on an order (JSON text)."""
    return {int(key): float(points) for key, points in json.loads(text or "{}").items()}


def cards_named(coupon_data):
    """Card ids and guest ids a points call's data names (already checked).

    Keys above zero and giftCardId values are cards; partner_id values are
    guests, whose cards stock may pick for a new-card key.
    """
    ids, partners = set(), set()
    for key, vals in coupon_data.items():
        if int(key) > 0:
            ids.add(int(key))
        if vals.get("giftCardId"):
            ids.add(int(vals["giftCardId"]))
        if vals.get("partner_id"):
            partners.add(int(vals["partner_id"]))
    return ids, partners


def history_items(coupon_data, coupon_updates, moved, allowance, done):
    """The history rows a points call may write: the server's numbers, not the POS's.

    `moved` maps card id to the points the call really moved, `allowance`
    card id to the points the reward lines may spend, `done` the card ids
    that already have a row for this order. One row per card, at most;
    anything of the wrong shape is dropped.
    """
    mapping = {}
    for item in coupon_updates if isinstance(coupon_updates, list) else []:
        if isinstance(item, dict):
            try:
                mapping[int(item.get("old_id"))] = int(item.get("id"))
            except (TypeError, ValueError):
                continue
    done = set(done)
    clean = []
    for item in coupon_data if isinstance(coupon_data, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            card_id = int(item.get("card_id"))
            spent = number(item.get("spent") or 0.0, minimum=0.0)
        except (TypeError, ValueError):
            continue
        card_id = mapping.get(card_id, card_id)
        if card_id not in moved or card_id in done:
            continue
        used = min(spent, allowance.get(card_id, 0.0))
        issued = max(moved[card_id] + used, 0.0)
        clean.append({"card_id": str(card_id), "won": issued, "spent": used})
        done.add(card_id)
    return clean


def order_copy_lines(lines):
    """The lines of an unsaved pos.order built from the decision route's lines.

    Sale lines carry what the order earns on; reward lines what it spends.
    Returns ORM create commands.
    """
    sales = [line for line in lines if not line.get("reward_id")]
    rewards = [line for line in lines if line.get("reward_id")]
    return [
        Command.create(
            {
                "product_id": line["product_id"],
                "qty": line["qty"],
                "price_unit": line["price"] / (line["qty"] or 1),
                "price_subtotal": line["price_subtotal"],
                "price_subtotal_incl": line["price"],
            }
        )
        for line in sales
    ] + [
        Command.create(
            {
                "reward_id": line["reward_id"],
                "is_reward_line": True,
                "coupon_id": line["card_id"] or False,
                "points_cost": line["points"],
                "qty": 1,
                "price_unit": line["price"],
                "price_subtotal": line["price_subtotal"],
                "price_subtotal_incl": line["price"],
            }
        )
        for line in rewards
    ]


def combo_links(lines):
    """(item, combo) positions among the lines `order_copy_lines` makes."""
    position = {}
    for index, line in enumerate(lines):
        if not line.get("reward_id"):
            position[index] = len(position)
    return [
        (position[index], position[line["combo_parent"]])
        for index, line in enumerate(lines)
        if not line.get("reward_id") and line.get("combo_parent") is not None
    ]


def gift_card_ids(coupon_data):
    """The card ids the points call names as gift cards being sold (`giftCardId`)."""
    return {
        int(vals["giftCardId"])
        for vals in (coupon_data or {}).values()
        if isinstance(vals, dict) and vals.get("giftCardId")
    }
