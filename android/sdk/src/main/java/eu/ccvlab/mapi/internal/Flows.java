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
     * @param amount       the amount, sent as {@code toPlainString()}
     * @param originalStan STAN of the transaction a void or capture refers to, or null
     * @param delegate     the app's delegate
     */
    public static void payment(ExternalTerminal terminal, Payment.Type type, Money amount, String originalStan,
            PaymentDelegate delegate) {
        NativeEngine.payment(NativeTerminal.from(terminal), paymentTypeCode(type), amount.value().toPlainString(),
                amount.currency().getCurrencyCode(), originalStan,
                callbacks(type.name().toLowerCase(java.util.Locale.ROOT), delegate));
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
     * Starts an administrative request.
     *
     * @param terminal  the terminal
     * @param operation one of the {@link NativeEngine} administration codes
     * @param flow      the operation's public name, for logs
     * @param delegate  the app's delegate
     */
    public static void administration(ExternalTerminal terminal, int operation, String flow,
            TerminalDelegate delegate) {
        NativeEngine.administration(NativeTerminal.from(terminal), operation, callbacks(flow, delegate));
    }

    /**
     * Starts a payment recovery (RepeatLastMessage).
     *
     * @param terminal the terminal
     * @param flow     the operation's public name, for logs
     * @param delegate the app's delegate
     */
    public static void recoverPayment(ExternalTerminal terminal, String flow, PaymentDelegate delegate) {
        NativeEngine.recoverPayment(NativeTerminal.from(terminal), callbacks(flow, delegate));
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
