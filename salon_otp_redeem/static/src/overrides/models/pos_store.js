// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {PosStore} from "@point_of_sale/app/store/pos_store";
import {makeAwaitable} from "@point_of_sale/app/store/make_awaitable_dialog";
import {AlertDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
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
        const redemptions = order.getRedeemOtpRedemptions();
        if (!redemptions.length) {
            if (order.uiState.redeemOtp) {
                order.clearRedeemOtpAuthorization();
            }
            return true;
        }
        if (order.hasRedeemOtpAuthorization()) {
            return true;
        }
        if (order.uiState.redeemOtp || order.redeem_otp_challenge_id) {
            // Made for other redemptions: it would be refused at sync.
            order.clearRedeemOtpAuthorization();
        }
        if (this.redeemOtpDialogOpen) {
            return false;
        }
        const partner = order.get_partner();
        if (!partner) {
            this.dialog.add(AlertDialog, {
                title: _t("Choose the guest"),
                body: _t(
                    "Spending a guest's balance needs their one-time code: choose the guest first."
                ),
            });
            return false;
        }
        if (this.data.network.offline) {
            this.dialog.add(AlertDialog, {
                title: _t("Offline"),
                body: _t(
                    "A code cannot be sent while the point of sale is offline. The order is kept: validate it again once the connection is back."
                ),
            });
            return false;
        }
        const signature = order.getRedeemOtpSignature(redemptions);
        let result;
        this.redeemOtpDialogOpen = true;
        try {
            result = await makeAwaitable(this.dialog, RedeemOtpDialog, {
                order,
                partner,
                redemptions,
                summary: this.redeemOtpSummary(order),
            });
        } finally {
            this.redeemOtpDialogOpen = false;
        }
        if (result?.not_needed) {
            // The server needs no code for these redemptions (e.g. below the
            // center's minimum amount); it checks again at sync.
            return true;
        }
        if (!result?.challenge_id) {
            return false;
        }
        if (signature !== order.getRedeemOtpSignature()) {
            // The order changed while the dialog was open.
            return false;
        }
        const challenge = await this.redeemOtpLoadChallenge(result);
        order.setRedeemOtpAuthorization(challenge, signature, {
            method: result.method,
            destination: result.destination,
        });
        return true;
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

    /** "Client credit: €40.00, Salon Loyalty: 200 points" for the dialog. */
    redeemOtpSummary(order) {
        const byProgram = new Map();
        for (const line of order.getRedeemOtpLines()) {
            const program = line.reward_id.program_id;
            const entry = byProgram.get(program.id) || {program, amount: 0, points: 0};
            entry.amount += Math.abs(line.get_price_with_tax() || 0);
            entry.points += line.points_cost || 0;
            byProgram.set(program.id, entry);
        }
        return [...byProgram.values()]
            .map(({program, amount, points}) => {
                const value =
                    program.program_type === "ewallet" || !points
                        ? this.env.utils.formatCurrency(amount)
                        : `${points} ${program.portal_point_name || _t("points")}`;
                return `${program.name}: ${value}`;
            })
            .join(", ");
    },
});
