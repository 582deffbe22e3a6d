package eu.ccvlab.mapi.internal;

import java.util.logging.Logger;

import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * How each public service method starts its native flow: flatten the terminal, wrap the delegate, call the
 * engine. The public services check their arguments first, so nothing here sees a null. Every method may be
 * called from any thread and returns at once.
 */
public final class Flows {
    private static final Logger LOG = Logger.getLogger("eu.ccvlab.mapi");
    /** The amount sent for a VOID built without an amount. */
    public static final String VOID_WITHOUT_AMOUNT = "0.00";
    /** The currency sent for a VOID built without an amount. */
    public static final String VOID_WITHOUT_AMOUNT_CURRENCY = "EUR";

    private Flows() {
    }

    /**
     * Starts a payment of {@code type}.
     *
     * @param terminal the terminal
     * @param type     the payment type
     * @param amount   the amount, sent as {@code toPlainString()}
     * @param delegate the app's delegate
     */
    public static void payment(ExternalTerminal terminal, Payment.Type type, Money amount, PaymentDelegate delegate) {
        payment(terminal, type, amount, null, delegate);
    }

    /**
     * Starts a payment of {@code type} that may name an earlier transaction.
     *
     * @param terminal     the terminal
     * @param type         the payment type
     * @param amount       the amount, sent as {@code toPlainString()}; null only for a VOID (sent without an amount)
     * @param originalStan STAN of the transaction a void or capture refers to, or null
     * @param delegate     the app's delegate
     */
    public static void payment(ExternalTerminal terminal, Payment.Type type, Money amount, String originalStan,
            PaymentDelegate delegate) {
        payment(terminal, type, amount, originalStan, null, delegate);
    }

    /**
     * Starts a payment of {@code type} that may name an earlier transaction, with the RequestID the app chose.
     *
     * @param terminal     the terminal
     * @param type         the payment type
     * @param amount       the amount, sent as {@code toPlainString()}; null only for a VOID (sent without an amount)
     * @param originalStan STAN of the transaction a void or capture refers to, or null
     * @param requestId    the RequestID the app chose ({@code Payment.requestId()}), or null for the engine's own
     * @param delegate     the app's delegate
     */
    public static void payment(ExternalTerminal terminal, Payment.Type type, Money amount, String originalStan,
            String requestId, PaymentDelegate delegate) {
        // The native call takes an amount; for a VOID, zero means none: the engine sends the reversal without
        // TotalAmount. Every other type needs the app's amount.
        if (amount == null && type != Payment.Type.VOID) {
            throw new NullPointerException("amount must not be null for a " + type);
        }
        String value = amount == null ? VOID_WITHOUT_AMOUNT : amount.value().toPlainString();
        String currency = amount == null ? VOID_WITHOUT_AMOUNT_CURRENCY : amount.currency().getCurrencyCode();
        NativeEngine.payment(NativeTerminal.from(terminal), paymentTypeCode(type), value, currency, originalStan,
                requestId, null, null, null, callbacks(type.name().toLowerCase(java.util.Locale.ROOT), delegate));
    }

    /**
     * Starts {@code payment} as a payment of {@code type}, with every value the app set on it: amount, STAN,
     * RequestID, POS timestamp and references (which references reach the wire is the terminal's
     * {@code WireProfile} {@code payment-references} choice).
     *
     * @param terminal the terminal
     * @param type     the payment type (a reservation passes RESERVATION whatever the payment's type)
     * @param payment  the app's payment
     * @param delegate the app's delegate
     */
    public static void payment(ExternalTerminal terminal, Payment.Type type, Payment payment,
            PaymentDelegate delegate) {
        Money amount = payment.amount();
        if (amount == null && type != Payment.Type.VOID) {
            throw new NullPointerException("amount must not be null for a " + type);
        }
        String value = amount == null ? VOID_WITHOUT_AMOUNT : amount.value().toPlainString();
        String currency = amount == null ? VOID_WITHOUT_AMOUNT_CURRENCY : amount.currency().getCurrencyCode();
        Integer referenceNumber = payment.referenceNumber();
        NativeEngine.payment(NativeTerminal.from(terminal), paymentTypeCode(type), value, currency,
                type == Payment.Type.RESERVATION ? null : payment.originalStan(), payment.requestId(),
                payment.posTimestamp(), referenceNumber == null ? null : referenceNumber.toString(),
                payment.merchantReference(), callbacks(type.name().toLowerCase(java.util.Locale.ROOT), delegate));
    }

    /**
     * Starts an abort.
     *
     * @param terminal      the terminal
     * @param newConnection on a new connection
     * @param silent        without the "Aborted" display
     * @param delegate      the app's delegate
     */
    public static void abort(ExternalTerminal terminal, boolean newConnection, boolean silent,
            TerminalDelegate delegate) {
        String flow = (silent ? "silent abort" : "abort") + (newConnection ? " on new connection" : "");
        NativeEngine.abort(NativeTerminal.from(terminal), newConnection, silent, callbacks(flow, delegate));
    }

    /**
     * Starts an administrative request or a card read.
     *
     * @param terminal  the terminal
     * @param operation one of the {@link NativeEngine} operation codes
     * @param flow      the operation's public name, for logs
     * @param delegate  the app's delegate
     */
    public static void operation(ExternalTerminal terminal, int operation, String flow,
            TerminalDelegate delegate) {
        NativeEngine.operation(NativeTerminal.from(terminal), operation, callbacks(flow, delegate));
    }

    /**
     * Starts a payment recovery (RepeatLastMessage).
     *
     * @param terminal the terminal
     * @param flow     the operation's public name, for logs
     * @param delegate the app's delegate
     */
    public static void recoverPayment(ExternalTerminal terminal, String flow, TerminalDelegate delegate) {
        PaymentDelegate payment = delegate instanceof PaymentDelegate ? (PaymentDelegate) delegate
                : new RecoveryAsAdministration(delegate);
        NativeEngine.recoverPayment(NativeTerminal.from(terminal), callbacks(flow, payment));
    }

    /**
     * Hands automatic recovery's delegate to the engine (null: off).
     *
     * @param delegate the delegate, or null
     */
    public static void setRecoveryDelegate(PaymentDelegate delegate) {
        NativeRecovery.setRecoveryDelegate(delegate == null ? null : callbacks("automatic recovery", delegate));
    }

    /**
     * The unsettled payments of {@code terminal}.
     *
     * @param terminal the terminal
     * @return its pending payments, oldest first
     */
    public static java.util.List<eu.ccvlab.mapi.core.payment.PendingPayment> pendingPayments(
            ExternalTerminal terminal) {
        return eu.ccvlab.mapi.core.payment.PendingPayment.fromFlat(
                NativeRecovery.pendingPayments(NativeTerminal.from(terminal)), NativeRecovery.FIELDS);
    }

    /**
     * Resolves a pending payment by hand.
     *
     * @param terminal the terminal
     * @param key      its key
     * @param reason   why
     * @return the resolved payment, or null when nothing had {@code key}
     */
    public static eu.ccvlab.mapi.core.payment.PendingPayment resolvePending(ExternalTerminal terminal, String key,
            String reason) {
        java.util.List<eu.ccvlab.mapi.core.payment.PendingPayment> resolved =
                eu.ccvlab.mapi.core.payment.PendingPayment.fromFlat(
                        NativeRecovery.resolvePending(NativeTerminal.from(terminal), key, reason),
                        NativeRecovery.FIELDS);
        return resolved.isEmpty() ? null : resolved.get(0);
    }

    private static DelegateCallbacks callbacks(String flow, TerminalDelegate delegate) {
        return new DelegateCallbacks(flow, delegate, MapiConfig.getCallbackExecutor());
    }

    private static int paymentTypeCode(Payment.Type type) {
        switch (type) {
            case REFUND:
                return NativeEngine.REFUND;
            case VOID:
                return NativeEngine.VOID;
            case RESERVATION:
                return NativeEngine.RESERVATION;
            case CAPTURE:
                return NativeEngine.CAPTURE;
            case SALE:
            default:
                return NativeEngine.SALE;
        }
    }
}
