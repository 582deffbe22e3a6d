package eu.ccvlab.mapi.core.api;

import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * Terminal administration and payment recovery. Every method may be called from any thread and returns at
 * once; the outcome arrives through the delegate on the callback executor (the main thread after
 * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread, exactly
 * once per call. Every method throws {@link NullPointerException} synchronously, before anything is sent,
 * when the terminal or the delegate is null.
 *
 * <p>Operations this SDK does not implement yet ({@link #transactionOverview},
 * {@link #activateTerminal}, {@link #ticketReprintPeriodClosing}, {@link #cardCircuits},
 * {@link #readMifareUID}) deliver one {@code onError} whose {@code mapiError()} is null, {@code resultState()}
 * FAILURE and {@code detail()} "not supported yet by this SDK"; nothing is sent.
 */
public interface TerminalApi {

    /**
     * The terminal's status (OPI Diagnosis): {@code onPaymentAdministrationSuccess} or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void status(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Settles a payment whose outcome is unknown (app crash, lost connection, timeout) by asking the terminal
     * for its last answer (RepeatLastMessage): {@code onPaymentSuccess}/{@code onPaymentError} with
     * {@code recovered()} true, or {@code onError} (try again later). The payment concerned is the one in the
     * SDK's in-flight journal, else the terminal's last one.
     *
     * @param terminal  the terminal
     * @param requestId the RequestID of the payment to recover, as reported by {@code Error.requestId()}; may
     *                  be null. Informative only: the terminal always repeats its last answer, and the SDK
     *                  matches it against its journal
     * @param delegate  receives the callbacks
     */
    void recoverPayment(ExternalTerminal terminal, String requestId, PaymentDelegate delegate);

    /**
     * Asks the terminal for its last answer (RepeatLastMessage); same as {@link #recoverPayment} without a
     * RequestID.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void repeatLastMessage(ExternalTerminal terminal, PaymentDelegate delegate);

    /**
     * Period closing (OPI ReconciliationWithClosure): {@code onPaymentAdministrationSuccess} or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks; the closing receipt arrives as a merchant receipt
     */
    void periodClosing(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Partial period closing (OPI Reconciliation): {@code onPaymentAdministrationSuccess} or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void partialPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Logs the POS in at the terminal (OPI Login): {@code onPaymentAdministrationSuccess} or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void login(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Startup: the same request as {@link #login}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void startup(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Reprint of the last customer ticket (OPI TicketReprint; certification L1A/L1B): the copy arrives through
     * {@code printCustomerReceiptAndSignature}, then {@code onPaymentAdministrationSuccess}; {@code onError} with
     * FAILURE when the terminal has nothing to reprint.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void retrieveLastTicket(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Transaction overview. Not supported yet: one {@code onError} (see the class comment).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void transactionOverview(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Terminal activation. Not supported yet: one {@code onError} (see the class comment).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void activateTerminal(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Reprint of the last period closing ticket. Not supported yet: one {@code onError} (see the class comment).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void ticketReprintPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * The card brands the terminal accepts. Not supported yet: one {@code onError} (see the class comment).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void cardCircuits(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Reads the UID of a Mifare card. Not supported yet: one {@code onError} (see the class comment).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks ({@code cardUID} once supported)
     */
    void readMifareUID(ExternalTerminal terminal, TerminalDelegate delegate);
}
