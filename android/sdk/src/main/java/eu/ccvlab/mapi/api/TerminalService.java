package eu.ccvlab.mapi.api;

import java.util.Objects;

import eu.ccvlab.mapi.core.api.TerminalApi;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;
import eu.ccvlab.mapi.internal.NativeEngine;

/**
 * Terminal administration (status, login/startup, period closings) and payment recovery. Stateless; safe to
 * share between threads. See {@link TerminalApi} for the callbacks of each method and for the operations not
 * supported yet.
 */
public class TerminalService implements TerminalApi {

    /** A service on the process-wide engine. Thread: any. */
    public TerminalService() {
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void status(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.STATUS, "status", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void recoverPayment(ExternalTerminal terminal, String requestId, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.recoverPayment(terminal, requestId == null ? "recoverPayment" : "recoverPayment " + requestId, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void repeatLastMessage(ExternalTerminal terminal, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.recoverPayment(terminal, "repeatLastMessage", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void periodClosing(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.PERIOD_CLOSING, "periodClosing", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void partialPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.PARTIAL_PERIOD_CLOSING, "partialPeriodClosing", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void login(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.LOGIN, "login", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void startup(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.LOGIN, "startup", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * The terminal prints its last customer receipt again (OPI TicketReprint): the copy arrives through
     * {@code printCustomerReceiptAndSignature}, then {@code onPaymentAdministrationSuccess}; {@code onError}
     * (FAILURE) when the terminal has no ticket to reprint.
     */
    @Override
    public void retrieveLastTicket(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.administration(terminal, NativeEngine.TICKET_REPRINT, "retrieveLastTicket", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Not supported yet: delivers one {@code onError} (mapiError null, FAILURE, "not supported yet by
     * this SDK"); nothing is sent.
     */
    @Override
    public void transactionOverview(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.unsupported("transactionOverview", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Not supported yet: delivers one {@code onError} (mapiError null, FAILURE, "not supported yet by
     * this SDK"); nothing is sent.
     */
    @Override
    public void activateTerminal(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.unsupported("activateTerminal", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Not supported yet: delivers one {@code onError} (mapiError null, FAILURE, "not supported yet by
     * this SDK"); nothing is sent.
     */
    @Override
    public void ticketReprintPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.unsupported("ticketReprintPeriodClosing", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Not supported yet: delivers one {@code onError} (mapiError null, FAILURE, "not supported yet by
     * this SDK"); nothing is sent.
     */
    @Override
    public void cardCircuits(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.unsupported("cardCircuits", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Not supported yet: delivers one {@code onError} (mapiError null, FAILURE, "not supported yet by
     * this SDK"); nothing is sent.
     */
    @Override
    public void readMifareUID(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.unsupported("readMifareUID", delegate);
    }
}
