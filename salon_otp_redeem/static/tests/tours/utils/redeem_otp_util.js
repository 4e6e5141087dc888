// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
/**
 * Tour steps for the redemption-code dialog.
 *
 * The code is never known in advance: the Python test captures what the
 * real `sms` path handed to the (mocked) gateway and serves those bodies on
 * a local URL given to the tour as `window.salonOtpOutbox`.
 */
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";

const DIALOG = ".o_salon_otp_dialog";
const CODE_RE = /: ([0-9A-Z]{4,10}) is your code/;

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(predicate, timeout = 10000, what = "condition") {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
        const value = await predicate();
        if (value) {
            return value;
        }
        await sleep(100);
    }
    throw new Error(`Timed out waiting for ${what}`);
}

/** The codes sent so far, oldest first. */
export async function sentCodes() {
    if (!window.salonOtpOutbox) {
        throw new Error(
            "window.salonOtpOutbox is not set: start the tour from the Python test"
        );
    }
    const response = await fetch(window.salonOtpOutbox, {cache: "no-store"});
    const messages = await response.json();
    return messages
        .map((message) => (CODE_RE.exec(message.body) || [])[1])
        .filter(Boolean);
}

/** The `index`-th code sent (0-based), once at least `index + 1` were sent. */
export async function readCode(index) {
    const codes = await waitUntil(
        async () => {
            const sent = await sentCodes();
            return sent.length > index ? sent : null;
        },
        10000,
        `code #${index + 1} in the outbox`
    );
    return codes[index];
}

/** A code of the same shape that is certainly not `code`. */
export function wrongCode(code) {
    return [...code]
        .map((ch) => (/\d/.test(ch) ? String((Number(ch) + 1) % 10) : "3"))
        .join("");
}

export function isShown(guestName) {
    return [
        {
            content: `the code dialog is open for ${guestName}`,
            trigger: `${DIALOG} .o_salon_otp_guest:contains("${guestName}")`,
        },
    ];
}

export function isNotShown() {
    return [{content: "no code dialog", trigger: `body:not(:has(${DIALOG}))`}];
}

export function clickButton(label) {
    return [
        {
            content: `click "${label}" in the code dialog`,
            trigger: `${DIALOG} .modal-footer button:contains("${label}")`,
            run: "click",
        },
    ];
}

export function sendCode(destination = "+33 6") {
    return [
        ...clickButton("Send code"),
        {
            content: "the dialog says where the code went",
            trigger: `${DIALOG} .o_salon_otp_sent:contains("${destination}")`,
        },
        {
            content: "and counts down to its expiry",
            trigger: `${DIALOG} .o_salon_otp_countdown:contains("Expires in")`,
        },
    ];
}

/** Type the `index`-th code sent, read from the outbox; the dialog submits it by itself. */
export function typeSentCode(index = 0) {
    return [
        {
            content: `type code #${index + 1} as the guest reads it out`,
            trigger: `${DIALOG} input[name="otp_code"]`,
            run: async (helpers) => helpers.edit(await readCode(index)),
        },
    ];
}

export function typeWrongCode(index = 0) {
    return [
        {
            content: "type a wrong code",
            trigger: `${DIALOG} input[name="otp_code"]`,
            run: async (helpers) => helpers.edit(wrongCode(await readCode(index))),
        },
    ];
}

export function errorIs(text) {
    return [
        {
            content: `the dialog says "${text}"`,
            trigger: `${DIALOG} .o_salon_otp_error:contains("${text}")`,
        },
    ];
}

export function noticeIs(text) {
    return [{trigger: `${DIALOG} .o_salon_otp_notice:contains("${text}")`}];
}

/** Type the center's override code and the reason (the override fields are shown). */
export function typeOverride(code, reason) {
    return [
        {
            trigger: `${DIALOG} input[name="otp_override_code"]`,
            run: `edit ${code}`,
        },
        {
            trigger: `${DIALOG} textarea[name="otp_override_reason"]`,
            run: `edit ${reason}`,
        },
    ];
}

export function useOverride(code, reason) {
    return [...clickButton("Use override code"), ...typeOverride(code, reason)];
}

export function isClosed() {
    return [
        {content: "the code dialog is closed", trigger: `body:not(:has(${DIALOG}))`},
    ];
}

/**
 * Ask the Python test for a PNG of the page (see tests/test_pos_tours.py):
 * a console message it watches for, then wait for its answer.
 */
export function screenshot(name) {
    return [
        {
            content: `screenshot ${name}`,
            trigger: DIALOG,
            run: async () => {
                if (!window.salonOtpOutbox) {
                    return;
                }
                await sleep(300); // let the last render settle
                console.log(`salon_otp_screenshot:${name}`);
                await waitUntil(
                    () => window.salonOtpShotDone === name,
                    10000,
                    "the screenshot"
                );
            },
        },
    ];
}

export function selectGuest(name) {
    return [
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer(name),
    ].flat();
}

export function payWithEWallet() {
    return [
        // On a phone the Actions button is in the cart pane.
        ProductScreen.clickReview(),
        ...PosLoyalty.eWalletButtonState({
            highlighted: true,
            text: "eWallet Pay",
            click: true,
        }),
        {...ProductScreen.back(), isActive: ["mobile"]},
    ];
}

export function receiptSays(text) {
    return [
        {
            content: `the receipt says "${text}"`,
            trigger: `.receipt-screen .pos-receipt .o_salon_otp_receipt:contains("${text}")`,
        },
    ];
}

export function receiptHasNoAuthorization() {
    return [
        {
            content: "the receipt has no redemption authorization",
            trigger: ".receipt-screen .pos-receipt:not(:has(.o_salon_otp_receipt))",
        },
    ];
}

export function countdownIs(text) {
    return [
        {
            content: `the countdown reads "${text}"`,
            trigger: `${DIALOG} .o_salon_otp_countdown:contains("${text}")`,
            timeout: 15000,
        },
    ];
}

/** Switch the POS's own offline flag, as the browser's offline event does. */
export function setOffline(offline) {
    return [
        {
            content: offline ? "the till goes offline" : "the till is back online",
            trigger: "body",
            run: () => {
                window.posmodel.data.network.offline = offline;
            },
        },
    ];
}
