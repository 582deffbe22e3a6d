package eu.ccvlab.mapi.core.api;

import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

import org.jspecify.annotations.Nullable;

/**
 * Terminal administration and payment recovery. Every method may be called from any thread and returns at
 * once; the outcome arrives through the delegate on the callback executor (the main thread after
 * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread, exactly
 * once per call. Every method throws {@link NullPointerException} synchronously, before anything is sent,
 * when the terminal or the delegate is null.
 *
 * <p>The OPI request types of {@link #transactionOverview}, {@link #activateTerminal},
 * {@link #ticketReprintPeriodClosing}, {@link #getConfig}, {@link #cardCircuits} and {@link #readMifareUID} are
 * not confirmed by any public trace of a CCV terminal; see docs/protocol.md, "Facts not confirmed by a public
 * source".
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
     * The terminal's status: the same request and callbacks as {@link #status}, under the name apps written for
     * CCV's SDK use. Thread: any; returns at once; callbacks as {@link #status}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    default void getStatus(ExternalTerminal terminal, TerminalDelegate delegate) {
        status(terminal, delegate);
    }

    /**
     * Settles a payment whose outcome is unknown (app crash, lost connection, timeout) by asking the terminal
     * for its last answer (RepeatLastMessage). The payment concerned is the one in the SDK's in-flight journal,
     * else the terminal's last one.
     *
     * <p>How the outcome arrives depends on the delegate:
     * <ul>
     * <li>a {@code PaymentDelegate}: {@code onPaymentSuccess}/{@code onPaymentError} with
     * {@code recovered()} true;</li>
     * <li>any other {@link TerminalDelegate}: {@code onPaymentAdministrationSuccess} with a
     * {@code PaymentAdministrationResult} whose {@code data()} is that {@code PaymentResult}, whose
     * {@code resultState()} is the payment's (SUCCESS only when it was approved) and whose
     * {@code requestType()} is "RepeatLastMessage";</li>
     * <li>either: {@code onError} when the outcome could not be learnt (try again later).</li>
     * </ul>
     *
     * @param terminal  the terminal
     * @param requestId the RequestID of the payment to recover, as reported by {@code Error.requestId()}; may
     *                  be null. Informative only: the terminal always repeats its last answer, and the SDK
     *                  matches it against its journal
     * @param delegate  receives the callbacks
     */
    void recoverPayment(ExternalTerminal terminal, @Nullable String requestId, TerminalDelegate delegate);

    /**
     * Asks the terminal for its last answer (RepeatLastMessage); same as {@link #recoverPayment} without a
     * RequestID, with the same callbacks.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void repeatLastMessage(ExternalTerminal terminal, TerminalDelegate delegate);

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
     * Transaction overview: the totals since the last period closing, printed through
     * {@code printMerchantReceiptAndSignature}, then {@code onPaymentAdministrationSuccess} whose {@code data()}
     * lists one "circuit count amount currency" per total; or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void transactionOverview(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Terminal activation: {@code onPaymentAdministrationSuccess} or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void activateTerminal(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Reprint of the last period closing ticket, through {@code printMerchantReceiptAndSignature}, then
     * {@code onPaymentAdministrationSuccess}; {@code onError} (FAILURE) when no period was closed yet.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void ticketReprintPeriodClosing(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * The card brands the terminal accepts: {@code onPaymentAdministrationSuccess} whose {@code data()} is the
     * list of brands; or {@code onError}.
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void cardCircuits(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Reads the UID of a Mifare card: {@code cardUID(uid)}, then {@code onPaymentAdministrationSuccess};
     * {@code onError} with UNKNOWN (a card that is not Mifare) or TIMED_OUT (no card presented).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void readMifareUID(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * The terminal's configuration: {@code configData(ConfigData)}, then {@code onPaymentAdministrationSuccess};
     * or {@code onError}. The method name is a guess (CCV documents the feature as "Get Config").
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     */
    void getConfig(ExternalTerminal terminal, TerminalDelegate delegate);
}
