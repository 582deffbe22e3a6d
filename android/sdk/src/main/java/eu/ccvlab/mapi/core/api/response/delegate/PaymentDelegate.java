package eu.ccvlab.mapi.core.api.response.delegate;

import java.util.List;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.DeliveryBoxCallback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * Callbacks of a payment (and of a payment recovery). Adds to {@link TerminalDelegate} the customer display,
 * the terminal's questions and the payment's result. Threads and exactly-once as in {@link TerminalDelegate}:
 * a payment ends with exactly one of {@link #onPaymentSuccess}, {@link #onPaymentError} or {@code onError}.
 *
 * <p>The questions ({@code ask…}, {@link #drawCustomerSignature}, {@code onDeliverGoodsOrServices}) default
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
     * Text for the customer display (OPI CustomerDisplay): the SDK calls this method for every customer display
     * output. Default: hands {@code lines.lines()} to the deprecated {@link #showOnCustomerDisplay(List)}, so
     * delegates written against that form keep working. Called on the callback executor.
     *
     * @param mainText the whole text, lines joined by {@code '\n'}
     * @param lines    the same text line by line
     */
    default void showOnCustomerDisplay(MainTextRequest mainText, DisplayTextRequest lines) {
        showOnCustomerDisplay(lines.lines());
    }

    /**
     * Text for the customer display, line by line: the earlier form of
     * {@link #showOnCustomerDisplay(MainTextRequest, DisplayTextRequest)}, called only by that method's default.
     * Called on the callback executor.
     *
     * @param lines the lines to show
     * @deprecated override {@link #showOnCustomerDisplay(MainTextRequest, DisplayTextRequest)} (CCV's form)
     */
    @Deprecated
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
     * The terminal asks whether the goods or the service were delivered (CCV's unattended OPI-NL DeliveryBox
     * step, after the card and before the payment is authorised). Answer once, from any thread:
     * {@code proceed(true)} lets the payment go on; {@code proceed(false)} ends it without charging (the terminal
     * answers Aborted). Unanswered within 25 s (before the terminal gives up, after about 30 s), the SDK answers
     * "not delivered"; a later answer is ignored. Called on the callback executor. Default:
     * {@code proceed(false)}. <i>The wire shape of the request is not public; the SDK reads it as an Output or an
     * Input to the DeliveryBox device (see docs/protocol.md, facts not confirmed by a public source).</i>
     *
     * @param callback {@code proceed(true)} = delivered, {@code proceed(false)} = not delivered
     */
    default void onDeliverGoodsOrServices(DeliveryBoxCallback callback) {
        callback.proceed(false);
    }

    /**
     * The earlier form of {@link #onDeliverGoodsOrServices(DeliveryBoxCallback)}, whose parameter type was a
     * guess. Never called (see that method). Default: "not delivered".
     *
     * @param callback {@code onSuccess()} = delivered, {@code onFailure()} = not delivered
     * @deprecated override {@link #onDeliverGoodsOrServices(DeliveryBoxCallback)} (CCV's form)
     */
    @Deprecated
    default void onDeliverGoodsOrServices(Callback callback) {
        callback.onFailure();
    }

    /**
     * Final, instead of {@link #onError(eu.ccvlab.mapi.core.api.response.result.Error)}: the SDK ended the payment
     * with {@code error} (could not connect, a request already running…) and nothing about it needs recovery.
     *
     * <p><b>Which {@code onError} is called.</b> Exactly one of the two per failure, never both. This one only
     * when all three hold: the delegate's class overrides this method; the failure has a {@link MAPIError}
     * (not a terminal's refusal, which has none); and the outcome is known ({@code Error.recoveryNeeded()}
     * false, since only {@code Error} carries the RequestID to recover with). Every other failure goes to
     * {@code onError(Error)}. A delegate that does not override this method therefore gets every failure
     * through {@code onError(Error)}. Called once, on the callback executor.
     *
     * @param error why the SDK ended the payment
     */
    default void onError(MAPIError error) {
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
