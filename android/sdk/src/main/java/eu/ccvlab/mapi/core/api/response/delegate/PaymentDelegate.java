package eu.ccvlab.mapi.core.api.response.delegate;

import java.util.List;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * Callbacks of a payment (and of a payment recovery). Adds to {@link TerminalDelegate} the customer display,
 * the terminal's questions and the payment's result. Threads and exactly-once as in {@link TerminalDelegate}:
 * a payment ends with exactly one of {@link #onPaymentSuccess}, {@link #onPaymentError} or {@code onError}.
 *
 * <p>The questions ({@code ask…}, {@link #drawCustomerSignature}, {@link #onDeliverGoodsOrServices}) default
 * to answering "no", so a terminal is never left waiting by an app that does not handle them.
 */
public interface PaymentDelegate extends TerminalDelegate {

    /**
     * A dynamic currency conversion offer to print. Called on the callback executor.
     *
     * @param receipt the offer
     */
    default void printDccOffer(PaymentReceipt receipt) {
    }

    /**
     * Text for the customer display (OPI CustomerDisplay). Called on the callback executor.
     *
     * @param lines the lines to show
     */
    default void showOnCustomerDisplay(List<TextLine> lines) {
    }

    /**
     * The terminal asks for the customer's signature drawn on the POS screen. Default: answers
     * {@link CustomerSignatureCallback#onFailure()}. Called on the callback executor; answer from any thread.
     *
     * @param callback where to hand the signature
     */
    default void drawCustomerSignature(CustomerSignatureCallback callback) {
        callback.onFailure();
    }

    /**
     * The terminal asks the cashier to check the customer's identity (certification U1A). Default: "no".
     * Called on the callback executor; answer once, from any thread.
     *
     * @param callback {@code onSuccess()} = identity checked, {@code onFailure()} = not
     */
    default void askCustomerIdentification(Callback callback) {
        callback.onFailure();
    }

    /**
     * The terminal asks the cashier whether the customer's signature matches the card (certification U1B).
     * Default: "no" (the terminal then declines the payment). Called on the callback executor; answer once,
     * from any thread.
     *
     * @param callback {@code onSuccess()} = signature OK, {@code onFailure()} = not
     */
    default void askCustomerSignature(Callback callback) {
        callback.onFailure();
    }

    /**
     * The terminal asks for the merchant's signature. Default: "no". Called on the callback executor; answer
     * once, from any thread.
     *
     * @param callback {@code onSuccess()} = signed, {@code onFailure()} = not
     */
    default void askMerchantSignature(Callback callback) {
        callback.onFailure();
    }

    /**
     * Unattended flows: the payment is authorised, deliver the goods or service and report whether that
     * worked. Default: "not delivered". The parameter type is a guess. Called on the callback executor;
     * answer once, from any thread.
     *
     * @param callback {@code onSuccess()} = delivered, {@code onFailure()} = not delivered
     */
    default void onDeliverGoodsOrServices(Callback callback) {
        callback.onFailure();
    }

    /**
     * Final: the terminal approved the payment. Called once, on the callback executor.
     *
     * @param result the approved payment
     */
    default void onPaymentSuccess(PaymentResult result) {
    }

    /**
     * Final: the terminal settled the payment with another result: declined ({@code FAILURE}), aborted
     * ({@code ABORTED}), {@code BUSY}, {@code DEVICE_UNAVAILABLE}… No money moved. Called once, on the
     * callback executor.
     *
     * @param result the settled payment
     */
    default void onPaymentError(PaymentResult result) {
    }
}
