// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {PosStore} from "@point_of_sale/app/store/pos_store";
import {makeAwaitable} from "@point_of_sale/app/store/make_awaitable_dialog";
import {AlertDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {ConnectionLostError, rpc} from "@web/core/network/rpc";
import {patch} from "@web/core/utils/patch";
import {RedeemOtpDialog} from "@salon_otp_redeem/app/otp_dialog/otp_dialog";

patch(PosStore.prototype, {
    /**
     * Make sure the order holds a verified code for its protected redemptions.
     *
     * Opens the code dialog unless the order already holds a challenge
     * verified for exactly these redemptions. Resolves to true when the
     * order may go on (nothing to authorize, or authorized), false when the
     * cashier cancelled or the code could not be asked for; the order is
     * never changed in that case.
     *
     * @param {import("@point_of_sale/app/models/pos_order").PosOrder} order
     * @returns {Promise<boolean>}
     */
    async redeemOtpAuthorize(order) {
        if (!order.getRedeemOtpRewardLines().length) {
            if (order.uiState.redeemOtp) {
                order.clearRedeemOtpAuthorization();
            }
            return true;
        }
        if (order.hasRedeemOtpAuthorization()) {
            return true;
        }
        if (this.redeemOtpDialogOpen) {
            return false;
        }
        const decision = await this.redeemOtpDecide(order);
        if (!decision) {
            return false;
        }
        if (!decision.needs_code) {
            if (order.uiState.redeemOtp) {
                order.clearRedeemOtpAuthorization();
            }
            return true;
        }
        if (order.uiState.redeemOtp || order.redeem_otp_challenge_id) {
            // Made for other redemptions: it would be refused at sync.
            order.clearRedeemOtpAuthorization();
        }
        const linesKey = order.getRedeemOtpLinesKey();
        let result;
        this.redeemOtpDialogOpen = true;
        try {
            result = await makeAwaitable(this.dialog, RedeemOtpDialog, {
                order,
                partner: order.get_partner(),
                redemptions: decision.redemptions,
                summary: decision.summary,
            });
        } finally {
            this.redeemOtpDialogOpen = false;
        }
        if (result?.not_needed) {
            // The server needs no code for these redemptions after all; it
            // checks again at sync.
            return true;
        }
        if (!result?.challenge_id || linesKey !== order.getRedeemOtpLinesKey()) {
            // Cancelled, or the order changed while the dialog was open.
            return false;
        }
        const challenge = await this.redeemOtpLoadChallenge(result);
        order.setRedeemOtpAuthorization(challenge, linesKey, {
            method: result.method,
            destination: result.destination,
            cardIds: decision.redemptions.map((item) => item.card_id).filter(Boolean),
        });
        return true;
    },

    /**
     * Ask the server whether the order, as it stands, needs the guest's code.
     *
     * Resolves to the decision route's answer, or null after telling the
     * cashier why there is none (offline, or a redemption the server will
     * never accept: the order stays as it is).
     */
    async redeemOtpDecide(order) {
        const offline = () =>
            this.dialog.add(AlertDialog, {
                title: _t("Offline"),
                body: _t(
                    "A code cannot be sent while the point of sale is offline. The order is kept: validate it again once the connection is back."
                ),
            });
        if (this.data.network.offline) {
            offline();
            return null;
        }
        let decision;
        try {
            decision = await rpc(
                "/salon_otp_redeem/decision",
                {
                    pos_config_id: this.config.id,
                    partner_id: order.get_partner()?.id || false,
                    order_uuid: order.uuid,
                    lines: order.getRedeemOtpOrderLines(),
                    amount_total: order.get_total_with_tax(),
                },
                {silent: true}
            );
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                offline();
                return null;
            }
            throw error;
        }
        if (decision?.error) {
            this.dialog.add(AlertDialog, {
                title: _t("This redemption cannot go through"),
                body: decision.error.message,
            });
            return null;
        }
        return decision;
    },

    /** The verified challenge as a POS record, so the order's Many2one syncs it. */
    async redeemOtpLoadChallenge(result) {
        const Challenge = this.models["salon.otp.challenge"];
        try {
            const records = await this.data.read("salon.otp.challenge", [
                result.challenge_id,
            ]);
            if (records?.length) {
                return records[0];
            }
        } catch {
            // Fall through: the id is all the sync needs.
        }
        return (
            Challenge.get(result.challenge_id) ||
            Challenge.create({
                id: result.challenge_id,
                state: result.state,
                method: result.method,
                channel: result.channel || false,
                destination_masked: result.destination || false,
                verified_at: false,
                override_user_name:
                    result.method === "override" ? this.get_cashier()?.name : false,
            })
        );
    },
});
