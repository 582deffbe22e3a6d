package eu.ccvlab.mapi.core.api;

import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * Unattended (PAX IM30, EV charging) services. The interface name is a guess. Every method may be called
 * from any thread and returns at once; the outcome arrives through the delegate on the callback executor,
 * never on a native thread, exactly once per call.
 */
public interface TokenApi {

    /**
     * Aborts the running request on its connection. A normal abort ({@code isSilent} false) makes the terminal
     * show "Aborted" on the cashier display ({@code showTerminalOutputLines}); a silent one shows nothing.
     * Outcome as {@link PaymentApi#abort}: {@code onPaymentAdministrationSuccess} or {@code onError}
     * ({@code NOT_A_FLOW_HAPPENING}, {@code SECONDARY_FLOW_ALREADY_HAPPENING}, {@code RESPONSE_TIMEOUT}, or
     * the terminal's refusal).
     *
     * @param isSilent true for a silent abort
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if {@code terminal} or {@code delegate} is null (nothing is sent)
     */
    void abort(boolean isSilent, ExternalTerminal terminal, TokenDelegate delegate);

    /**
     * As {@link #abort(boolean, ExternalTerminal, TokenDelegate)}, on a new connection.
     *
     * @param isSilent true for a silent abort
     * @param terminal the terminal
     * @param delegate receives the callbacks
     * @throws NullPointerException if {@code terminal} or {@code delegate} is null (nothing is sent)
     */
    void abortOnNewConnection(boolean isSilent, ExternalTerminal terminal, TokenDelegate delegate);

    /**
     * Unattended pre-authorisation with a card token (IM30, EV charging): reserves {@code payment}'s amount
     * (OPI CardPreAuthorisation) and asks the terminal for the card's token whatever the terminal's
     * {@code requestToken} setting. Exactly one of {@code onPaymentSuccess} (with {@code token()} and
     * {@code stan()}: keep both for the settlement), {@code onPaymentError} or {@code onError}
     * ({@code AUTH_AND_CAP_FLOW_NOT_SUPPORTED} when the terminal has no such flow). The method name is a guess.
     *
     * @param terminal the terminal
     * @param payment  the amount to reserve (its type is ignored)
     * @param delegate receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void tokenPreAuthorisation(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate);

    /**
     * Settles an unattended session (OPI CardFinancialAdvice naming the pre-authorisation by its STAN): the
     * amount actually taken, EUR 0.00 when nothing was (certification E13, card reinserted). Callbacks as for
     * {@link #tokenPreAuthorisation}. The method name is a guess.
     *
     * @param terminal              the terminal
     * @param payment               the amount to take (its type is ignored)
     * @param preAuthorisationStan the STAN of the pre-authorisation ({@code PaymentResult.stan()})
     * @param delegate              receives the callbacks
     * @throws NullPointerException if an argument is null (nothing is sent)
     */
    void settlement(ExternalTerminal terminal, Payment payment, String preAuthorisationStan,
            PaymentDelegate delegate);
}
