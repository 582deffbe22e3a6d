package eu.ccvlab.mapi.core.api;

import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * Payments and their aborts. Every method may be called from any thread and returns at once; the outcome
 * arrives through the delegate on the callback executor (the main thread after {@code MAPI.initialize},
 * else {@code MapiConfig.getCallbackExecutor()}), never on a native thread, exactly once per call.
 */
public interface PaymentApi {

    /**
     * Starts a payment. Callbacks: display texts and receipts while it runs, then exactly one of
     * {@code onPaymentSuccess} (approved), {@code onPaymentError} (settled otherwise: declined, aborted…)
     * or {@code onError} ({@code FLOW_ALREADY_HAPPENING}: another request runs on that terminal;
     * {@code FAILED_TO_CONNECT_TO_TERMINAL}; {@code TERMINAL_CONNECTION_LOST} or {@code RESPONSE_TIMEOUT}
     * with {@code recoveryNeeded()}: recover the payment before the next one). A delegate that overrides
     * {@code onError(MAPIError)} gets the SDK's own errors that need no recovery there instead (see that method).
     *
     * <p>What reaches the terminal: the type, the amount and currency, and {@code originalStan}. A
     * {@link Payment.Type#VOID} built without an amount is sent without one (no TotalAmount). The other builder values
     * ({@code requestId}, {@code posTimestamp}, {@code transactionId}, {@code approvalCode}, {@code token},
     * {@code merchantReference}, {@code referenceNumber}, {@code originalTransactionRequestType}) are kept on the
     * {@link Payment} and not sent yet.
     *
     * @param terminal the terminal
     * @param payment  type and amount; the amount is sent as given
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void payment(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate);

    /**
     * Starts a reservation (pre-authorisation): {@link #payment} with type {@code RESERVATION}, whatever the
     * payment's own type. Callbacks as for {@link #payment}.
     *
     * @param terminal the terminal
     * @param payment  the amount to reserve
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void reservation(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate);

    /**
     * Asks the terminal to abort the running request, on that request's connection. The terminal decides:
     * exactly one of {@code onPaymentAdministrationSuccess} (accepted; the payment then ends
     * {@code ABORTED}) or {@code onError}: refused or too late ({@code mapiError()} null,
     * {@code resultState()} FAILURE; the payment goes on to its own end), {@code NOT_A_FLOW_HAPPENING}
     * (nothing runs; nothing sent), {@code SECONDARY_FLOW_ALREADY_HAPPENING} (an abort is already waiting;
     * nothing sent), {@code RESPONSE_TIMEOUT} (no answer to the abort).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void abort(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * As {@link #abort}, but the AbortRequest travels on a new connection (OPI-NL).
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void abortOnNewConnection(ExternalTerminal terminal, TerminalDelegate delegate);

    /**
     * Card detection: waits for a card and reports it without moving money. Exactly one of
     * {@code onPaymentSuccess} (the result's {@code cardCircuit()}, {@code maskedPan()} and, with
     * {@code ExternalTerminal.requestToken}, {@code token()}; no amount), {@code onPaymentError} or
     * {@code onError}. The method name is a guess (CCV documents the feature as "Card Detection").
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void cardDetection(ExternalTerminal terminal, PaymentDelegate delegate);

    /**
     * Card validation: checks that a card can be used, without paying. Callbacks as for
     * {@link #cardDetection}; {@code onPaymentError} when the terminal refuses the card. The method name is a
     * guess (CCV documents the feature as "Card Validation").
     *
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void cardValidation(ExternalTerminal terminal, PaymentDelegate delegate);
}
