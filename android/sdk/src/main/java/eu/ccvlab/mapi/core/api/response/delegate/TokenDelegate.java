package eu.ccvlab.mapi.core.api.response.delegate;

/**
 * Callbacks of the unattended (PAX IM30) token services, {@code TokenService.abort} and
 * {@code TokenService.abortOnNewConnection}: the abort's outcome ({@code onPaymentAdministrationSuccess} or
 * {@code onError}) and the cashier display ("Aborted" after a normal abort, nothing after a silent one).
 * Threads and exactly-once as in {@link TerminalDelegate}. That it lives in this package is a guess.
 */
public interface TokenDelegate extends TerminalDelegate {
}
