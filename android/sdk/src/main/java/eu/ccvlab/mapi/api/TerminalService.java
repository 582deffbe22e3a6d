package eu.ccvlab.mapi.api;

import java.util.List;
import java.util.Objects;

import eu.ccvlab.mapi.core.api.TerminalApi;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.payment.PendingPayment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;
import eu.ccvlab.mapi.internal.NativeEngine;

import org.jspecify.annotations.Nullable;

/**
 * Terminal administration (status, login/startup, activation, period closings, overviews, reprints,
 * configuration, card circuits, Mifare reads) and payment recovery. Stateless; safe to share between threads. See
 * {@link TerminalApi} for the callbacks of each method.
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
        Flows.operation(terminal, NativeEngine.STATUS, "status", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void getStatus(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.STATUS, "getStatus", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void recoverPayment(ExternalTerminal terminal, @Nullable String requestId, TerminalDelegate delegate) {
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
    public void repeatLastMessage(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.recoverPayment(terminal, "repeatLastMessage", delegate);
    }

    /**
     * (An extension, not in CCV's SDK.) The payments of {@code terminal} whose outcome is not settled: sent and
     * never answered, or recovered without an answer about them yet. While one is listed, a new payment on the
     * terminal is refused ({@code MAPIError.PAYMENT_PENDING_RECOVERY}) unless automatic recovery settles it
     * first. Show them to the merchant; recover with {@link #recoverPayment}, or resolve by hand with
     * {@link #resolvePendingPayment} once the outcome is known.
     *
     * <p>Thread: any, but it reads the state directory: call it off the main thread. Returns the list, no
     * callback.
     *
     * @param terminal the terminal
     * @return its pending payments, oldest first (empty without a state directory)
     * @throws NullPointerException  if {@code terminal} is null
     * @throws IllegalStateException if the state directory cannot be read
     */
    public List<PendingPayment> pendingPayments(ExternalTerminal terminal) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        return Flows.pendingPayments(terminal);
    }

    /**
     * (An extension, not in CCV's SDK.) Settles a pending payment by hand once its outcome is known another
     * way (the reprinted ticket, the acquirer's report). The record and {@code reason} are appended to
     * {@code resolved-payments.jsonl} in the state directory before the record is removed, and the call is
     * logged. Refused while a request about it runs.
     *
     * <p>Thread: any except the callback executor's thread of a running flow; blocks up to 10 s for the engine:
     * call it off the main thread.
     *
     * @param terminal the terminal
     * @param key      {@link PendingPayment#key()}: the RequestID, or an unreadable record's file name
     * @param reason   why, for the log (required, not empty)
     * @return the resolved payment, or null when nothing pending on the terminal had {@code key}
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if it was refused (it runs now, no reason) or the state cannot be written
     */
    public @Nullable PendingPayment resolvePendingPayment(ExternalTerminal terminal, String key, String reason) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        return Flows.resolvePending(terminal, key, reason);
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
        Flows.operation(terminal, NativeEngine.PERIOD_CLOSING, "periodClosing", delegate);
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
        Flows.operation(terminal, NativeEngine.PARTIAL_PERIOD_CLOSING, "partialPeriodClosing", delegate);
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
        Flows.operation(terminal, NativeEngine.LOGIN, "login", delegate);
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
        Flows.operation(terminal, NativeEngine.LOGIN, "startup", delegate);
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
        Flows.operation(terminal, NativeEngine.TICKET_REPRINT, "retrieveLastTicket", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * The terminal prints its totals since the last closing (through {@code printMerchantReceiptAndSignature}), then
     * {@code onPaymentAdministrationSuccess} whose {@code data()} lists one "circuit count amount currency" per total.
     */
    @Override
    public void transactionOverview(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.TRANSACTION_OVERVIEW, "transactionOverview", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * {@code onPaymentAdministrationSuccess}, or {@code onError} with the terminal's result.
     */
    @Override
    public void activateTerminal(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.ACTIVATE_TERMINAL, "activateTerminal", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * The last period-closing report again (through {@code printMerchantReceiptAndSignature}), then
     * {@code onPaymentAdministrationSuccess}; {@code onError} (FAILURE) when no period was closed yet.
     */
    @Override
    public void ticketReprintPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.TICKET_REPRINT_PERIOD_CLOSING, "ticketReprintPeriodClosing", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * {@code onPaymentAdministrationSuccess} whose {@code data()} is the list of card brands the terminal accepts.
     */
    @Override
    public void cardCircuits(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.CARD_CIRCUITS, "cardCircuits", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * {@code cardUID(uid)}, then {@code onPaymentAdministrationSuccess}; {@code onError} with UNKNOWN (an unknown
     * card) or TIMED_OUT (no card presented).
     */
    @Override
    public void readMifareUID(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.READ_MIFARE_UID, "readMifareUID", delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * {@code configData(ConfigData)}, then {@code onPaymentAdministrationSuccess}; or {@code onError}.
     */
    @Override
    public void getConfig(ExternalTerminal terminal, TerminalDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.operation(terminal, NativeEngine.GET_CONFIG, "getConfig", delegate);
    }
}
