// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {
    Component,
    onMounted,
    onWillStart,
    onWillUnmount,
    useEffect,
    useRef,
    useState,
} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {rpc, ConnectionLostError} from "@web/core/network/rpc";
import {_t} from "@web/core/l10n/translation";
import {usePos} from "@point_of_sale/app/store/pos_hook";
import {
    Numpad,
    getButtons,
    BACKSPACE,
    ZERO,
} from "@point_of_sale/app/generic_components/numpad/numpad";

const ROUTES = {
    channels: "/salon_otp_redeem/channels",
    challenge: "/salon_otp_redeem/challenge",
    delivery: "/salon_otp_redeem/delivery",
    verify: "/salon_otp_redeem/verify",
};
const CLEAR = {value: "Clear", text: "C"};
// How often, and how long, the dialog asks where a code went: the server
// answers the request at once and sends the code right after.
const DELIVERY_POLL_MS = 250;
const DELIVERY_TIMEOUT_MS = 30000;

/**
 * The message to show for a route's error: the server's own words, already
 * translated; only what the server cannot say (the till is offline) is
 * written here.
 */
export function redeemOtpErrorMessage(error) {
    if (error?.code === "offline") {
        return _t(
            "A code cannot be sent or checked while the point of sale is offline. The order is kept: try again once the connection is back."
        );
    }
    return error?.message || _t("Something went wrong.");
}

/**
 * Asks the guest's one-time code for an order's protected redemptions.
 *
 * Resolves (through `getPayload`) with the verify route's answer once the
 * code or the center's override code is accepted; closing it any other way
 * leaves the order as it was.
 */
export class RedeemOtpDialog extends Component {
    static template = "salon_otp_redeem.RedeemOtpDialog";
    static components = {Dialog, Numpad};
    static props = {
        order: Object,
        partner: Object,
        redemptions: Array,
        summary: {type: String, optional: true},
        getPayload: Function,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.codeInput = useRef("codeInput");
        this.overrideInput = useRef("overrideInput");
        this.state = useState({
            channels: null,
            channel: null,
            challenge: null,
            code: "",
            override: false,
            overrideCode: "",
            reason: "",
            error: null,
            notice: "",
            attemptsLeft: null,
            dead: false,
            busy: false,
            sending: false,
            now: Date.now(),
        });
        this.numpadButtons = getButtons([CLEAR, ZERO, BACKSPACE]);
        onWillStart(() => this.loadChannels());
        onMounted(() => {
            this.timer = setInterval(() => (this.state.now = Date.now()), 1000);
        });
        onWillUnmount(() => clearInterval(this.timer));
        useEffect(
            (challengeId, override) => {
                const input = override ? this.overrideInput.el : this.codeInput.el;
                if (challengeId && input) {
                    input.focus();
                }
            },
            () => [this.state.challenge?.challenge_id, this.state.override]
        );
    }

    // ------------------------------------------------------------------
    // Getters for the template
    // ------------------------------------------------------------------
    get title() {
        return _t("Guest's redemption code");
    }
    get offline() {
        return Boolean(this.pos.data.network.offline);
    }
    get allowOverride() {
        return Boolean(this.pos.config.redeem_otp_allow_override);
    }
    get codeLength() {
        return this.state.challenge?.code_length || 6;
    }
    get isNumeric() {
        return (this.state.challenge?.alphabet || "numeric") === "numeric";
    }
    get expiresIn() {
        const expiresAt = Date.parse(this.state.challenge?.expires_at || "");
        return isNaN(expiresAt)
            ? null
            : Math.max(0, Math.ceil((expiresAt - this.state.now) / 1000));
    }
    get isExpired() {
        return this.expiresIn === 0;
    }
    get resendIn() {
        const resendAt = Date.parse(this.state.challenge?.resend_at || "");
        return isNaN(resendAt)
            ? 0
            : Math.max(0, Math.ceil((resendAt - this.state.now) / 1000));
    }
    get canSend() {
        return Boolean(
            !this.state.busy &&
                !this.offline &&
                this.state.channels?.length &&
                this.state.channel
        );
    }
    get canResend() {
        return Boolean(this.state.challenge && this.canSend && this.resendIn === 0);
    }
    get canVerify() {
        if (
            this.state.busy ||
            this.offline ||
            !this.state.challenge ||
            this.state.dead
        ) {
            return false;
        }
        if (this.state.override) {
            return Boolean(this.state.overrideCode.trim() && this.state.reason.trim());
        }
        return !this.isExpired && this.state.code.length === this.codeLength;
    }
    get sentText() {
        const challenge = this.state.challenge;
        if (challenge.override_only) {
            // The server's own words: what failed, and that the override can do.
            return challenge.message;
        }
        return _t("Code sent by %(channel)s to %(destination)s", {
            channel: this.channelLabel(challenge.channel),
            destination: challenge.destination || "",
        });
    }
    get countdownText() {
        const seconds = this.expiresIn;
        if (seconds === null) {
            return "";
        }
        if (seconds === 0) {
            return _t("The code has expired. Send a new one.");
        }
        const minutes = Math.floor(seconds / 60);
        const rest = String(seconds % 60).padStart(2, "0");
        return _t("Expires in %(time)s", {time: `${minutes}:${rest}`});
    }
    get resendText() {
        const seconds = this.resendIn;
        return seconds
            ? _t("You can send a new code in %(seconds)s s.", {seconds})
            : "";
    }
    get errorMessage() {
        return this.state.error ? redeemOtpErrorMessage(this.state.error) : "";
    }
    channelLabel(channel) {
        return (
            {sms: _t("SMS"), whatsapp: _t("WhatsApp"), email: _t("Email")}[channel] ||
            channel ||
            ""
        );
    }

    // ------------------------------------------------------------------
    // Server calls
    // ------------------------------------------------------------------
    async call(route, params) {
        if (this.offline) {
            this.showError({code: "offline"});
            return null;
        }
        this.state.busy = true;
        try {
            const result = await rpc(route, params, {silent: true});
            if (result?.error) {
                this.showError(result.error);
                return null;
            }
            return result;
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                this.showError({code: "offline"});
                return null;
            }
            this.showError({
                code: "bad_request",
                message: error?.data?.message || error?.message,
            });
            return null;
        } finally {
            this.state.busy = false;
        }
    }

    showError(error) {
        this.state.error = error;
        if (error.attempts_left !== undefined) {
            this.state.attemptsLeft = error.attempts_left;
        }
        if (["expired", "locked", "superseded"].includes(error.code)) {
            // This code is over: only a new one can be verified.
            this.state.dead = true;
        }
    }

    async loadChannels() {
        if (this.offline) {
            this.state.channels = [];
            this.showError({code: "offline"});
            return;
        }
        const result = await this.call(ROUTES.channels, {
            pos_config_id: this.pos.config.id,
            partner_id: this.props.partner.id,
        });
        this.state.channels = result?.channels || [];
        this.state.channel = this.state.channels[0]?.channel || null;
        if (result && !this.state.channels.length) {
            this.showError({code: "no_destination"});
        }
    }

    async sendCode() {
        if (!this.canSend) {
            return;
        }
        const previous = this.state.challenge;
        this.state.error = null;
        this.state.notice = "";
        const result = await this.requestCode({
            pos_config_id: this.pos.config.id,
            partner_id: this.props.partner.id,
            order_uuid: this.props.order.uuid,
            redemptions: this.props.redemptions,
            channel: this.state.channel,
        });
        if (!result) {
            const error = this.state.error;
            if (error?.override_only && error.challenge_id && this.allowOverride) {
                // No code reached the guest: the server keeps the challenge
                // open for the center's override code only.
                Object.assign(this.state, {
                    challenge: {
                        challenge_id: error.challenge_id,
                        override_only: true,
                        message: error.message,
                        code_length: this.codeLength,
                    },
                    error: null,
                    override: true,
                });
                return;
            }
            if (["not_protected", "otp_disabled"].includes(this.state.error?.code)) {
                // The server's rules (e.g. a minimum amount) need no code for
                // this order: let the validation go on without one.
                this.props.getPayload({
                    not_needed: true,
                    reason: this.state.error.code,
                });
                this.props.close();
            }
            return;
        }
        Object.assign(this.state, {
            challenge: result,
            code: "",
            overrideCode: "",
            attemptsLeft: null,
            dead: false,
            now: Date.now(),
        });
        if (previous) {
            this.state.notice = _t(
                "A new code was sent to %(destination)s. The earlier code no longer works.",
                {destination: result.destination || ""}
            );
        }
    }

    /**
     * Asks for a code and waits until the server has sent it: the answer is
     * then the challenge with where the code went, or null with the error
     * shown (as for any route).
     */
    async requestCode(params) {
        this.state.sending = true;
        let result = await this.call(ROUTES.challenge, params);
        const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
        this.state.busy = true;
        try {
            while (result?.delivery === "sending") {
                if (Date.now() > deadline) {
                    this.showError({
                        code: "send_failed",
                        message: _t(
                            "The code is taking long to go out. Wait a moment, then send a new one."
                        ),
                    });
                    return null;
                }
                await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
                result = await this.call(ROUTES.delivery, {
                    challenge_id: result.challenge_id,
                });
                this.state.busy = true;
            }
        } finally {
            this.state.busy = false;
            this.state.sending = false;
        }
        return result;
    }

    async resend() {
        if (this.canResend) {
            await this.sendCode();
        }
    }

    async verify() {
        if (!this.canVerify) {
            return;
        }
        const challengeId = this.state.challenge.challenge_id;
        const params = this.state.override
            ? {
                  challenge_id: challengeId,
                  override_code: this.state.overrideCode.trim(),
                  reason: this.state.reason.trim(),
              }
            : {challenge_id: challengeId, code: this.state.code};
        this.state.error = null;
        const result = await this.call(ROUTES.verify, params);
        if (!result) {
            this.state.code = "";
            this.state.overrideCode = "";
            this.focusInput();
            return;
        }
        if (result.state === "verified") {
            this.props.getPayload({
                ...result,
                channel: this.state.challenge.channel,
                destination: this.state.challenge.destination,
            });
            this.props.close();
        }
    }

    // ------------------------------------------------------------------
    // Input
    // ------------------------------------------------------------------
    /** Keep what the code can hold: the server sends its characters. */
    cleanCode(value) {
        const characters = this.state.challenge?.characters || "0123456789";
        return [...String(value || "").toUpperCase()]
            .filter((char) => characters.includes(char))
            .join("")
            .slice(0, this.codeLength);
    }

    setCode(value) {
        this.state.code = this.cleanCode(value);
        if (this.codeInput.el && this.codeInput.el.value !== this.state.code) {
            this.codeInput.el.value = this.state.code;
        }
        if (this.state.code.length === this.codeLength && this.canVerify) {
            this.verify();
        }
    }

    onCodeInput(ev) {
        this.setCode(ev.target.value);
    }

    onCodeKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            this.verify();
        }
    }

    onNumpadClick(value) {
        if (!this.state.challenge || this.state.override) {
            return;
        }
        if (value === BACKSPACE.value) {
            this.setCode(this.state.code.slice(0, -1));
        } else if (value === CLEAR.value) {
            this.setCode("");
        } else {
            this.setCode(this.state.code + value);
        }
        this.focusInput();
    }

    focusInput() {
        const input = this.state.override ? this.overrideInput.el : this.codeInput.el;
        input?.focus();
    }

    toggleOverride() {
        this.state.override = !this.state.override;
        this.state.error = null;
    }

    cancel() {
        this.props.close();
    }
}
