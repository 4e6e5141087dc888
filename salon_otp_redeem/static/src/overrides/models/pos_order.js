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
 * What the guest's one-time code authorizes, seen from the order.
 *
 * The same rules as the server (`pos.order._redeem_otp_protected_lines` and
 * `tools/policy.py`): the client only decides when to ask; the server
 * refuses the order at sync whatever the client did.
 */
patch(PosOrder.prototype, {
    setup() {
        super.setup(...arguments);
        this.uiState.redeemOtp = this.uiState.redeemOtp || null;
    },

    isRedeemOtpActive() {
        return Boolean(
            this.company?.redeem_otp_enabled && this.config?.redeem_otp_required
        );
    },

    isRedeemOtpProtectedProgram(program) {
        return Boolean(
            program &&
                program.program_type !== "gift_card" &&
                (program.redeem_otp_required || program.redeem_otp_membership_only)
        );
    },

    /** Reward lines of protected programs at this order's center. */
    getRedeemOtpLines() {
        if (!this.isRedeemOtpActive()) {
            return [];
        }
        return (this._get_reward_lines() || []).filter((line) =>
            this.isRedeemOtpProtectedProgram(line.reward_id?.program_id)
        );
    },

    /** The `redemptions` parameter of /salon_otp_redeem/challenge, one entry per line. */
    getRedeemOtpRedemptions() {
        const decimals = this.currency?.decimal_places ?? 2;
        return this.getRedeemOtpLines().map((line) => {
            const cardId = line.coupon_id?.id;
            return {
                card_id: typeof cardId === "number" && cardId > 0 ? cardId : 0,
                program_id: line.reward_id.program_id.id,
                points: line.points_cost || 0,
                amount: Number(
                    Math.abs(line.get_price_with_tax() || 0).toFixed(decimals)
                ),
            };
        });
    },

    /**
     * The redemptions a code was asked for, as the server fingerprints them:
     * guest, order and points per (card, program). A change voids the code.
     */
    getRedeemOtpSignature(redemptions = this.getRedeemOtpRedemptions()) {
        const totals = new Map();
        for (const item of redemptions) {
            const key = `${item.card_id}:${item.program_id}`;
            totals.set(key, (totals.get(key) || 0) + (item.points || 0));
        }
        const lines = [...totals.entries()]
            .map(([key, points]) => [
                ...key.split(":").map(Number),
                roundPoints(points),
            ])
            .filter((line) => line[2] !== 0)
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        return JSON.stringify({
            partner: this.get_partner()?.id || 0,
            order: this.uuid,
            lines,
        });
    },

    /** A verified code for exactly the redemptions the order holds now. */
    hasRedeemOtpAuthorization() {
        const auth = this.uiState.redeemOtp;
        return Boolean(
            auth?.challengeId &&
                this.redeem_otp_challenge_id &&
                auth.signature === this.getRedeemOtpSignature()
        );
    },

    setRedeemOtpAuthorization(challenge, signature, info = {}) {
        this.uiState.redeemOtp = {
            challengeId: challenge.id,
            signature,
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

    export_for_printing() {
        const result = super.export_for_printing(...arguments);
        result.redeemOtp = this.getRedeemOtpReceiptData();
        return result;
    },
});
