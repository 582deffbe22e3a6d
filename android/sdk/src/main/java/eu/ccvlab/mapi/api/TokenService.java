package eu.ccvlab.mapi.api;

import java.util.Objects;

import eu.ccvlab.mapi.core.api.TokenApi;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;

/**
 * Unattended (PAX IM30, EV charging) flows: aborts, normal or silent, and the token flow (a pre-authorisation
 * that returns the card's token, then the settlement of what was taken). Stateless; safe to share between
 * threads. See {@link TokenApi}.
 */
public class TokenService implements TokenApi {

    /** A service on the process-wide engine. Thread: any. */
    public TokenService() {
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     * Once the running request has reached the terminal, the AbortRequest is written from the calling
     * thread (one non-blocking send), as for {@link PaymentService#abort}.
     */
    @Override
    public void abort(boolean isSilent, ExternalTerminal terminal, TokenDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.abort(terminal, false, isSilent, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor, never on a native thread.
     */
    @Override
    public void abortOnNewConnection(boolean isSilent, ExternalTerminal terminal, TokenDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.abort(terminal, true, isSilent, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void tokenPreAuthorisation(ExternalTerminal terminal, Payment payment, PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(payment, "payment must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        ExternalTerminal withToken = terminal.toBuilder().requestToken(true).build();
        Flows.payment(withToken, Payment.Type.RESERVATION, payment.amount(), null, delegate);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor (the main thread after
     * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
     */
    @Override
    public void settlement(ExternalTerminal terminal, Payment payment, String preAuthorisationStan,
            PaymentDelegate delegate) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        Objects.requireNonNull(payment, "payment must not be null");
        Objects.requireNonNull(preAuthorisationStan, "preAuthorisationStan must not be null");
        Objects.requireNonNull(delegate, "delegate must not be null");
        Flows.payment(terminal, Payment.Type.CAPTURE, payment.amount(), preAuthorisationStan, delegate);
    }
}
