package eu.ccvlab.mapi.core.api;

import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
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
}
