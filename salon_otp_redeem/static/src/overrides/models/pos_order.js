// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {PosOrder} from "@point_of_sale/app/models/pos_order";
import {deserializeDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

const POINTS_PRECISION = 2;

function roundPoints(value) {
    const factor = 10 ** POINTS_PRECISION;
    return Math.round((value || 0) * factor) / factor;
}

/**
 * The order's side of the guest's one-time code.
 *
 * The order decides nothing: it describes its reward lines to the server
 * (`/salon_otp_redeem/decision`), which says whether they need the code,
 * and keeps the verified authorization the server bound to them.
 */
patch(PosOrder.prototype, {
    setup() {
        super.setup(...arguments);
        this.uiState.redeemOtp = this.uiState.redeemOtp || null;
    },

    /** The `lines` parameter of the decision route: what each reward line spends. */
    getRedeemOtpRewardLines() {
        return (this._get_reward_lines() || []).map((line) => {
            const cardId = line.coupon_id?.id;
            return {
                reward_id: line.reward_id.id,
                card_id: typeof cardId === "number" ? cardId : 0,
                points: line.points_cost || 0,
                price: line.get_price_with_tax(),
                price_subtotal: line.get_price_without_tax(),
            };
        });
    },

    /** The `lines` of the decision route: sales (what the order earns on) and rewards. */
    getRedeemOtpOrderLines() {
        const saleLines = this.get_orderlines().filter((line) => !line.is_reward_line);
        const sales = saleLines.map((line) => ({
            product_id: line.get_product().id,
            qty: line.get_quantity(),
            price: line.get_price_with_tax(),
            price_subtotal: line.get_price_without_tax(),
            // A combo is sold as one: its items' prices are on the item lines.
            combo_parent: line.combo_parent_id ? saleLines.indexOf(line.combo_parent_id) : -1,
        }));
        return [...sales, ...this.getRedeemOtpRewardLines()];
    },

    /** Change detection only: the lines a code was verified for, as sent. */
    getRedeemOtpLinesKey() {
        return JSON.stringify([
            this.get_partner()?.id || 0,
            this.getRedeemOtpRewardLines(),
        ]);
    },

    /** A verified code for the reward lines the order holds now. */
    hasRedeemOtpAuthorization() {
        const auth = this.uiState.redeemOtp;
        return Boolean(
            auth?.challengeId &&
                this.redeem_otp_challenge_id &&
                auth.linesKey === this.getRedeemOtpLinesKey()
        );
    },

    setRedeemOtpAuthorization(challenge, linesKey, info = {}) {
        this.uiState.redeemOtp = {
            challengeId: challenge.id,
            linesKey,
            cardIds: info.cardIds || [],
            method: info.method || challenge.method,
            destination: info.destination || challenge.destination_masked,
        };
        this.update({redeem_otp_challenge_id: challenge});
    },

    clearRedeemOtpAuthorization() {
        this.uiState.redeemOtp = null;
        if (this.redeem_otp_challenge_id) {
            this.update({redeem_otp_challenge_id: false});
        }
    },

    /** Reward lines on the cards the verified code covers. */
    getRedeemOtpLines() {
        const cardIds = this.uiState.redeemOtp?.cardIds || [];
        return (this._get_reward_lines() || []).filter((line) =>
            cardIds.includes(line.coupon_id?.id)
        );
    },

    /** Balances of the protected cards before the sync, to print what remains. */
    snapshotRedeemOtpBalances() {
        const before = {};
        for (const line of this.getRedeemOtpLines()) {
            const card = line.coupon_id;
            if (card && card.id > 0 && !(card.id in before)) {
                before[card.id] = card.points || 0;
            }
        }
        this.uiState.redeemOtpBefore = before;
    },

    /**
     * After pos_loyalty's `_postPushOrderResolve`, nominative cards (e-wallet,
     * loyalty) carry the server's new balance; other cards are computed.
     */
    storeRedeemOtpBalances() {
        const before = this.uiState.redeemOtpBefore || {};
        const spent = {};
        const cards = {};
        for (const line of this.getRedeemOtpLines()) {
            const card = line.coupon_id;
            if (!card || !(card.id > 0)) {
                continue;
            }
            cards[card.id] = card;
            spent[card.id] = (spent[card.id] || 0) + (line.points_cost || 0);
        }
        this.uiState.redeemOtpBalances = Object.values(cards).map((card) => {
            const program = card.program_id;
            const updated = program?.is_nominative || !(card.id in before);
            const points = updated
                ? card.points
                : Math.max(before[card.id] - spent[card.id], 0);
            return {
                cardId: card.id,
                program: program?.name || "",
                isMoney: program?.program_type === "ewallet",
                points: roundPoints(points),
                pointName: program?.portal_point_name || "",
            };
        });
    },

    /** "Authorized by code sent to +33 6•• •• •• 78 at 10:42" or "... staff override (Anna)". */
    getRedeemOtpAuthorizationText() {
        const challenge = this.redeem_otp_challenge_id;
        const auth = this.uiState.redeemOtp || {};
        if ((challenge?.method || auth.method) === "override") {
            return _t("Authorized by staff override (%(name)s)", {
                name: challenge?.override_user_name || "",
            });
        }
        const verifiedAt = challenge?.verified_at
            ? deserializeDateTime(challenge.verified_at)
            : luxon.DateTime.now();
        return _t("Authorized by code sent to %(destination)s at %(time)s", {
            destination: challenge?.destination_masked || auth.destination || "",
            time: verifiedAt.toFormat("HH:mm"),
        });
    },

    getRedeemOtpReceiptData() {
        if (!this.redeem_otp_challenge_id && !this.uiState.redeemOtp) {
            return null;
        }
        return {
            authorization: this.getRedeemOtpAuthorizationText(),
            balances: this.uiState.redeemOtpBalances || [],
        };
    },

    /**
     * A membership benefit is not offered to a guest without a membership:
     * the server would refuse the order, and an automatic promotion would
     * keep adding the line back. (The server still checks.)
     */
    _programIsApplicable(program) {
        if (
            program.redeem_otp_membership_only &&
            !["paid", "free"].includes(this.get_partner()?.membership_state)
        ) {
            return false;
        }
        return super._programIsApplicable(...arguments);
    },

    export_for_printing() {
        const result = super.export_for_printing(...arguments);
        result.redeemOtp = this.getRedeemOtpReceiptData();
        return result;
    },
});
