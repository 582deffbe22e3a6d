package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.TerminalService
import eu.ccvlab.mapi.core.payment.PendingPayment
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * The payments of [terminal] whose outcome is not settled (see `TerminalService.pendingPayments`), read off the
 * caller's thread: safe to call from the main thread. An extension of this SDK.
 *
 * @param terminal the terminal
 * @return its pending payments, oldest first
 */
public suspend fun TerminalService.awaitPendingPayments(terminal: ExternalTerminal): List<PendingPayment> =
    withContext(Dispatchers.IO) { pendingPayments(terminal) }

/**
 * Settles a pending payment by hand once its outcome is known another way (see
 * `TerminalService.resolvePendingPayment`), off the caller's thread. Cancelling the caller does not undo a
 * resolution the engine already made. An extension of this SDK.
 *
 * @param terminal the terminal
 * @param key [PendingPayment.key]
 * @param reason why, for the resolution log
 * @return the resolved payment, or null when nothing pending had [key]
 */
public suspend fun TerminalService.resolvePendingPayment(
    terminal: ExternalTerminal,
    key: String,
    reason: String,
): PendingPayment? = withContext(Dispatchers.IO) { resolvePendingPayment(terminal, key, reason) }
