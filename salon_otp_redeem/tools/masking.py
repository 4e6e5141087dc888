# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masked destinations: enough for the guest to recognise, too little to reuse."""

MASK = "\u2022"  # bullet, as shown in the POS dialog and on receipts


def mask_phone(number):
    """`+33612345678` -> `+33 6•• •• •• 78`.

    The country code and first national digit tell the guest which phone; the
    last two digits confirm it; the rest stays hidden from whoever watches the
    screen.
    """
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 6:
        return MASK * len(digits)
    country = _country_prefix(number, digits)
    national = digits[len(country) :]
    head, middle, tail = national[:1], national[1:-2], national[-2:]
    hidden = MASK * len(middle)
    if len(head) + len(hidden) >= 3:
        first = (head + hidden)[:3]
        rest = (head + hidden)[3:]
        groups = [first] + [rest[i : i + 2] for i in range(0, len(rest), 2)]
    else:
        groups = [head + hidden]
    body = " ".join(g for g in groups if g)
    prefix = f"+{country} " if country else ""
    return f"{prefix}{body} {tail}"


def _country_prefix(number, digits):
    if not number.strip().startswith("+"):
        return ""
    try:
        import phonenumbers

        parsed = phonenumbers.parse(number, None)
        return str(parsed.country_code)
    except Exception:  # noqa: BLE001 - any parse failure just means "no prefix"
        return digits[:2]


def mask_email(address):
    """`anna.smith@example.com` -> `a•••@example.com`."""
    if not address or "@" not in address:
        return ""
    local, _sep, domain = address.strip().rpartition("@")
    if not local:
        return ""
    return f"{local[0]}{MASK * 3}@{domain}"


def mask_destination(channel, destination):
    if channel == "email":
        return mask_email(destination)
    return mask_phone(destination)
