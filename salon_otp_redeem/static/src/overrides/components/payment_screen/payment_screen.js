// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {PaymentScreen} from "@point_of_sale/app/screens/payment_screen/payment_screen";
import {patch} from "@web/core/utils/patch";

patch(PaymentScreen.prototype, {
    /**
     * Ask for the guest's code before anything else validates the order.
     *
     * Outermost patch (the addon depends on pos_loyalty). pos_loyalty's
     * coupon check and the large-amount confirmation call `validateOrder`
     * again: once the order holds a code verified for exactly its
     * redemptions, this lets them through without asking twice.
     */
    async validateOrder(isForceValidate) {
        const order = this.currentOrder;
        // An unpaid order is refused by `_isOrderValid` anyway: do not send a
        // code the guest would have to type again after paying.
        if (order.getRedeemOtpRewardLines().length && order.is_paid()) {
            if (!(await this.pos.redeemOtpAuthorize(order))) {
                return;
            }
        }
        return await super.validateOrder(...arguments);
    },

    async _finalizeValidation() {
        const order = this.currentOrder;
        const authorized = Boolean(order.uiState.redeemOtp);
        if (authorized) {
            order.snapshotRedeemOtpBalances();
        }
        const result = await super._finalizeValidation(...arguments);
        if (authorized && order.state === "draft") {
            // The server refused the sync (e.g. the authorization expired in
            // the meantime): the order stays editable and the next
            // validation asks for a new code.
            order.clearRedeemOtpAuthorization();
        }
        return result;
    },

    async _postPushOrderResolve(order, orderServerIds) {
        const result = await super._postPushOrderResolve(...arguments);
        if (this.currentOrder?.uiState.redeemOtp) {
            this.currentOrder.storeRedeemOtpBalances();
        }
        return result;
    },
});
