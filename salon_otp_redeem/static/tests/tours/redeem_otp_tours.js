// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import * as Otp from "@salon_otp_redeem/../tests/tours/utils/redeem_otp_util";
import {registry} from "@web/core/registry";

const GUEST = "Camille Martin";

/** A 50.00 haircut for the guest, paid entirely from her e-wallet, on the payment screen. */
function haircutOnPaymentScreen() {
    return [
        Otp.selectGuest(GUEST),
        ProductScreen.addOrderline("Salon Haircut", "1"),
        Otp.payWithEWallet(),
        PosLoyalty.orderTotalIs("0.00"),
        ProductScreen.clickPayButton(),
    ].flat();
}

function haircutPaidByEWallet() {
    return [haircutOnPaymentScreen(), PaymentScreen.clickValidate()].flat();
}

function start() {
    return [Chrome.startPoS(), Dialog.confirm("Open Register")].flat();
}

registry.category("web_tour.tours").add("SalonOtpEWalletTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode("+33 6"),
            Otp.screenshot("otp-dialog-sent"),
            Otp.countdownIs("Expires in 4:5"),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            Otp.receiptSays("Authorized by code sent to +33 6"),
            Otp.receiptSays("Client credit balance"),
            Otp.receiptSays("50.00"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("SalonOtpWrongCodeTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.typeWrongCode(0),
            Otp.errorIs("The code is not correct"),
            Otp.errorIs("4 attempt(s) left"),
            Otp.screenshot("otp-dialog-wrong-code"),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            Otp.receiptSays("Authorized by code sent to"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("SalonOtpResendTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.clickButton("Resend"),
            Otp.noticeIs("The earlier code no longer works"),
            // The first code belongs to the superseded request.
            Otp.typeSentCode(0),
            Otp.errorIs("The code is not correct"),
            Otp.typeSentCode(1),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("SalonOtpOverrideTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.useOverride("740519", "Guest's phone is out of battery"),
            Otp.screenshot("otp-dialog-override"),
            Otp.clickButton("Verify"),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            Otp.receiptSays("Authorized by staff override (A simple PoS man!)"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/** Gift cards are bearer cards: no dialog, no authorization on the receipt. */
registry.category("web_tour.tours").add("SalonOtpGiftCardTour", {
    steps: () =>
        [
            start(),
            Otp.selectGuest(GUEST),
            ProductScreen.addOrderline("Salon Haircut", "1"),
            PosLoyalty.enterCode("044123456"),
            // "Unpaid gift card": made in the back office, not sold at the POS.
            Dialog.confirm(),
            PosLoyalty.orderTotalIs("0.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            Otp.isNotShown(),
            Otp.receiptHasNoAuthorization(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/** Codes switched off for the center: stock behaviour. */
registry.category("web_tour.tours").add("SalonOtpOffTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            ReceiptScreen.isShown(),
            Otp.isNotShown(),
            Otp.receiptHasNoAuthorization(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/** Verified from the product screen, then the redemption grows: the code no longer covers it. */
registry.category("web_tour.tours").add("SalonOtpChangedAfterVerifyTour", {
    steps: () =>
        [
            start(),
            Otp.selectGuest(GUEST),
            ProductScreen.addOrderline("Salon Haircut", "1"),
            Otp.payWithEWallet(),
            PosLoyalty.orderTotalIs("0.00"),
            ProductScreen.clickControlButton("Verify guest"),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            // A second haircut: the e-wallet now pays 100.00 instead of 50.00.
            ProductScreen.clickDisplayedProduct("Salon Haircut"),
            PosLoyalty.orderTotalIs("0.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickValidate(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.typeSentCode(1),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/** The server refuses the sync: the POS says why and the order stays editable. */
registry.category("web_tour.tours").add("SalonOtpSyncRefusedTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            {
                content: "the POS shows the server's refusal",
                trigger: ".modal .modal-body:contains('authorization has expired')",
            },
            Dialog.confirm(),
            PaymentScreen.isShown(),
            PaymentScreen.clickBackToProductScreen(),
            ProductScreen.isShown(),
            ProductScreen.orderLineHas("Salon Haircut", "1"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickValidate(),
            // The refused authorization is dropped: a new code is asked for.
            Otp.isShown(GUEST),
            Otp.clickButton("Cancel"),
            Otp.isClosed(),
            PaymentScreen.isShown(),
        ].flat(),
});

/** Tour 1 on a phone-sized screen. */
registry.category("web_tour.tours").add("SalonOtpMobileTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode(),
            Otp.screenshot("otp-dialog-mobile"),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            Otp.receiptSays("Authorized by code sent to +33 6"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/** Offline: no code can be sent, the order is kept as it is. */
registry.category("web_tour.tours").add("SalonOtpOfflineTour", {
    steps: () =>
        [
            start(),
            haircutOnPaymentScreen(),
            Otp.setOffline(true),
            PaymentScreen.clickValidate(),
            {
                content: "the POS says a code cannot be sent offline",
                trigger:
                    ".modal .modal-body:contains('cannot be sent while the point of sale is offline')",
            },
            Dialog.confirm(),
            Otp.isClosed(),
            PaymentScreen.isShown(),
            Otp.setOffline(false),
        ].flat(),
});

/**
 * The guest's mobile was just set by staff and there was none before: no code
 * goes to the new number, and the dialog offers the override path only.
 */
registry.category("web_tour.tours").add("SalonOtpOverrideOnlyTour", {
    steps: () =>
        [
            start(),
            Otp.selectGuest("Léa Dubois"),
            ProductScreen.addOrderline("Salon Haircut", "1"),
            Otp.payWithEWallet(),
            PosLoyalty.orderTotalIs("0.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickValidate(),
            Otp.isShown("Léa Dubois"),
            Otp.clickButton("Send code"),
            {
                content: "no code was sent: only the override remains",
                trigger:
                    '.o_salon_otp_dialog .o_salon_otp_sent:contains("Only the center\'s override code")',
            },
            Otp.typeOverride("740519", "Mobile number updated at the desk today"),
            Otp.clickButton("Verify"),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/**
 * The server asks for the code (a dormant card, whatever the program or the
 * center says): the dialog opens because the server said so.
 */
registry.category("web_tour.tours").add("SalonOtpServerAsksTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.sendCode("+33 6"),
            Otp.typeSentCode(0),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            Otp.receiptSays("Authorized by code sent to +33 6"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

/**
 * The SMS gateway fails and the guest has no email: no code can reach her,
 * so the dialog says what failed and offers the center's override code.
 */
registry.category("web_tour.tours").add("SalonOtpSendFailedOverrideTour", {
    steps: () =>
        [
            start(),
            haircutPaidByEWallet(),
            Otp.isShown(GUEST),
            Otp.clickButton("Send code"),
            {
                content: "what failed, and that the override can authorize",
                trigger:
                    '.o_salon_otp_dialog .o_salon_otp_sent:contains("override code can authorize")',
            },
            // The override is offered at once.
            Otp.typeOverride("740519", "SMS gateway down, guest has no email"),
            Otp.screenshot("otp-dialog-send-failed-override"),
            Otp.clickButton("Verify"),
            Otp.isClosed(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
