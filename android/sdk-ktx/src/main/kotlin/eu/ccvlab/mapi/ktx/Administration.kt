package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.TerminalApi
import eu.ccvlab.mapi.core.terminal.ExternalTerminal

// Every function here: call from any coroutine on any dispatcher (Main included), it suspends without
// blocking and resumes in the caller's context. Cancelling only stops the waiting; the request runs on.

/**
 * The terminal's status (OPI Diagnosis, `TerminalApi.status`). Any dispatcher; resumes in the caller's context;
 * cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.statusAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("status", ::administrationOutcome) { status(terminal, it) }

/**
 * Logs the POS in (OPI Login, `TerminalApi.login`). Any dispatcher; resumes in the caller's context;
 * cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.loginAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("login", ::administrationOutcome) { login(terminal, it) }

/**
 * Period closing (OPI ReconciliationWithClosure, `TerminalApi.periodClosing`); the closing report is in
 * [AdministrationOutcome.receipts] of [ReceiptKind.MERCHANT]. Any dispatcher; resumes in the caller's context;
 * cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.periodClosingAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("period closing", ::administrationOutcome) { periodClosing(terminal, it) }

/**
 * Partial period closing (OPI Reconciliation, `TerminalApi.partialPeriodClosing`). Any dispatcher; resumes in
 * the caller's context; cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.partialPeriodClosingAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("partial period closing", ::administrationOutcome) { partialPeriodClosing(terminal, it) }

/**
 * Reprint of the last customer ticket (OPI TicketReprint, `TerminalApi.retrieveLastTicket`); the copy is in
 * [AdministrationOutcome.receipts] of [ReceiptKind.CUSTOMER]; [AdministrationOutcome.Failed] when there is
 * nothing to reprint. Any dispatcher; resumes in the caller's context; cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.retrieveLastTicketAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("ticket reprint", ::administrationOutcome) { retrieveLastTicket(terminal, it) }
