package eu.ccvlab.mapi.api;

import java.util.Objects;

import eu.ccvlab.mapi.core.api.TokenApi;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;

/**
 * Unattended (PAX IM30, EV charging) aborts, normal or silent. The token flow itself (obtain a card token,
 * pay with it) is not in this SDK yet. Stateless; safe to share between threads. See {@link TokenApi}.
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
}
