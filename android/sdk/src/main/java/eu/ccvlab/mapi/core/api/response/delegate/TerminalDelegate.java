package eu.ccvlab.mapi.core.api.response.delegate;

import java.util.List;

import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * Callbacks of aborts and administrative requests (status, login, period closing…). Every method has an
 * empty default: override only what the app uses.
 *
 * <p><b>Thread.</b> Every callback arrives on the callback executor: the main thread after
 * {@code MAPI.initialize(context)}, else {@code MapiConfig.getCallbackExecutor()}; never on a native thread.
 * Callbacks of one request arrive in protocol order, one at a time (with an executor that runs tasks in order,
 * as the main thread and the default executor do).
 *
 * <p><b>Exactly once.</b> Every request ends with exactly one of {@link #onPaymentAdministrationSuccess} or
 * {@link #onError} (for payments: {@code onPaymentSuccess}, {@code onPaymentError} or {@code onError}).
 * A callback that throws is logged (java.util.logging, logger {@code eu.ccvlab.mapi}) and the SDK carries on.
 */
public interface TerminalDelegate {

    /**
     * Text for the cashier display (OPI CashierDisplay), for example "Present card" or "Aborted".
     * Called on the callback executor.
     *
     * @param lines the lines to show
     */
    default void showTerminalOutputLines(List<TextLine> lines) {
    }

    /**
     * The merchant's receipt (OPI Printer), to print or store. Called on the callback executor.
     *
     * @param receipt the receipt
     */
    default void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
    }

    /**
     * The customer's receipt (OPI PrinterReceipt), to print or show. Called on the callback executor.
     *
     * @param receipt the receipt
     */
    default void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
    }

    /**
     * A journal receipt, to print or store (certification M2A/M3A). Called on the callback executor.
     *
     * @param receipt the receipt
     */
    default void printJournalReceipt(PaymentReceipt receipt) {
    }

    /**
     * E-journal text the POS must store (certification M1A). Called on the callback executor.
     *
     * @param journal the whole e-journal text of the transaction
     */
    default void storeEJournal(String journal) {
    }

    /**
     * Configuration the terminal reports, answering {@code TerminalApi.getConfig}; called before the final
     * callback, on the callback executor.
     *
     * @param configData the values
     */
    default void configData(ConfigData configData) {
    }

    /**
     * An electronic receipt for the customer, sent during a payment (the whole text in
     * {@code content()}). Called on the callback executor.
     *
     * @param eReceiptRequest the offer
     */
    default void eReceipt(EReceiptRequest eReceiptRequest) {
    }

    /**
     * The UID of a card read by {@code readMifareUID}; called before the final callback, on the callback
     * executor.
     *
     * @param uid the card's UID
     */
    default void cardUID(String uid) {
    }

    /**
     * Final: the abort or administrative request succeeded (for an abort: the terminal accepted it, and the
     * running payment ends with {@code ResultState.ABORTED}). Called once, on the callback executor.
     *
     * @param result the outcome
     */
    default void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
    }

    /**
     * Final: the request failed; see {@link Error} for how to read it. Called once, on the callback executor.
     *
     * @param error why
     */
    default void onError(Error error) {
    }
}
