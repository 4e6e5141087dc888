// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {ControlButtons} from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

patch(ControlButtons.prototype, {
    /** The order spends a balance: the server may want the guest's code. */
    redeemOtpNeeded() {
        return Boolean(this.currentOrder?.getRedeemOtpRewardLines().length);
    },
    redeemOtpVerified() {
        return Boolean(this.currentOrder?.hasRedeemOtpAuthorization());
    },
    /** Same dialog as the payment screen, ahead of payment. */
    async onClickVerifyGuest() {
        const order = this.currentOrder;
        if (!order) {
            return;
        }
        if (order.hasRedeemOtpAuthorization()) {
            this.notification.add(
                _t("The guest's code is already verified for this order."),
                {
                    type: "info",
                }
            );
            return;
        }
        if (await this.pos.redeemOtpAuthorize(order)) {
            this.notification.add(_t("Guest verified."), {type: "success"});
        }
    },
});
