package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.PaymentApi
import eu.ccvlab.mapi.core.api.TokenApi
import eu.ccvlab.mapi.core.terminal.ExternalTerminal

/**
 * Asks the terminal to abort the request running on it, on that request's connection (`PaymentApi.abort`),
 * and returns the terminal's answer. A refusal ([AbortOutcome.Refused]: too late) is a normal outcome, not an
 * exception; the payment's own outcome still reaches the payment's caller.
 *
 * Call from any coroutine on any dispatcher (Main included); resumes in the caller's context. Cancelling only
 * stops the waiting: the AbortRequest has been sent and the terminal still acts on it.
 *
 * @param terminal the terminal, the same object the payment was started with
 * @return the terminal's answer
 * @throws NullPointerException if [terminal] is null (nothing is sent)
 */
public suspend fun PaymentApi.abortAwait(terminal: ExternalTerminal): AbortOutcome =
    awaitTerminalRequest("abort", { result, error, _ -> abortOutcome(result, error) }) { abort(terminal, it) }

/**
 * As [abortAwait], with the AbortRequest on a new connection (`PaymentApi.abortOnNewConnection`, OPI-NL).
 * Same threads and cancellation.
 *
 * @param terminal the terminal
 * @return the terminal's answer
 */
public suspend fun PaymentApi.abortOnNewConnectionAwait(terminal: ExternalTerminal): AbortOutcome =
    awaitTerminalRequest("abort", { result, error, _ -> abortOutcome(result, error) }) {
        abortOnNewConnection(terminal, it)
    }

/**
 * Aborts the running unattended request (`TokenApi.abort`): a normal abort makes the terminal show "Aborted",
 * a silent one shows nothing. Outcome, threads and cancellation as [PaymentApi.abortAwait].
 *
 * @param isSilent true for a silent abort
 * @param terminal the terminal
 * @return the terminal's answer
 */
public suspend fun TokenApi.abortAwait(isSilent: Boolean, terminal: ExternalTerminal): AbortOutcome =
    awaitTerminalRequest("token abort", { result, error, _ -> abortOutcome(result, error) }) {
        abort(isSilent, terminal, it)
    }

/**
 * As [TokenApi.abortAwait], on a new connection (`TokenApi.abortOnNewConnection`).
 *
 * @param isSilent true for a silent abort
 * @param terminal the terminal
 * @return the terminal's answer
 */
public suspend fun TokenApi.abortOnNewConnectionAwait(isSilent: Boolean, terminal: ExternalTerminal): AbortOutcome =
    awaitTerminalRequest("token abort", { result, error, _ -> abortOutcome(result, error) }) {
        abortOnNewConnection(isSilent, terminal, it)
    }
