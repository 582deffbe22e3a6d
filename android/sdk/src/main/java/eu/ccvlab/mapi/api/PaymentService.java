package eu.ccvlab.mapi.api;

import java.util.Objects;

import eu.ccvlab.mapi.core.api.PaymentApi;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;
import eu.ccvlab.mapi.internal.NativeEngine;

/**
 * Payments and their aborts, on any number of terminals (one running request per terminal at a time).
 * Stateless; safe to share between threads. See {@link PaymentApi} for the callbacks of each method.
 */
public class PaymentService implements PaymentApi {

    /** A service on the process-wide engine. Thread: any. */
    public PaymentService() {
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void payment(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(payment, "payment must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.payment(terminal, payment.type(), payment, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor, never on a native thread.
     */
    @Override
    public void reservation(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(payment, "payment must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.payment(terminal, Payment.Type.RESERVATION, payment, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor, never on a native thread.
     * Pressing abort many times is safe: one AbortRequest is sent, every call gets its own final callback.
     * Once the running payment has reached the terminal, the AbortRequest is written from the calling
     * thread (one non-blocking send, no waiting), so it leaves even while the SDK's engine thread is busy.
     */
    @Override
    public void abort(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.abort(terminal, false, false, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor, never on a native thread.
     */
    @Override
    public void abortOnNewConnection(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.abort(terminal, true, false, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void cardDetection(ExternalTerminal terminal, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.CARD_DETECTION, "cardDetection", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void cardValidation(ExternalTerminal terminal, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.CARD_VALIDATION, "cardValidation", delegate);
    }
}
