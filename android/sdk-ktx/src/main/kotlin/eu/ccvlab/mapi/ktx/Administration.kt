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

/**
 * Transaction overview (`TerminalApi.transactionOverview`): the report is in [AdministrationOutcome.receipts] of
 * [ReceiptKind.MERCHANT], the totals in the result's `data()`. Any dispatcher; resumes in the caller's context;
 * cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.transactionOverviewAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("transaction overview", ::administrationOutcome) { transactionOverview(terminal, it) }

/**
 * Reprint of the last period-closing ticket (`TerminalApi.ticketReprintPeriodClosing`), in
 * [AdministrationOutcome.receipts] of [ReceiptKind.MERCHANT]; [AdministrationOutcome.Failed] when no period was
 * closed yet. Any dispatcher; resumes in the caller's context; cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.ticketReprintPeriodClosingAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("period-closing reprint", ::administrationOutcome) { ticketReprintPeriodClosing(terminal, it) }

/**
 * Activates the terminal (`TerminalApi.activateTerminal`). Any dispatcher; resumes in the caller's context;
 * cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.activateTerminalAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("activation", ::administrationOutcome) { activateTerminal(terminal, it) }

/**
 * The card brands the terminal accepts (`TerminalApi.cardCircuits`), as the result's `data()`. Any dispatcher;
 * resumes in the caller's context; cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.cardCircuitsAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("card circuits", ::administrationOutcome) { cardCircuits(terminal, it) }

/**
 * The terminal's configuration (`TerminalApi.getConfig`), as a [TerminalEvent.ConfigReceived] in
 * [AdministrationOutcome.output]. Any dispatcher; resumes in the caller's context; cancelling stops the waiting
 * only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.getConfigAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("get config", ::administrationOutcome) { getConfig(terminal, it) }

/**
 * Reads a Mifare card's UID (`TerminalApi.readMifareUID`), as a [TerminalEvent.CardUidRead] in
 * [AdministrationOutcome.output]; [AdministrationOutcome.Failed] with UNKNOWN or TIMED_OUT when no readable card
 * was presented. Any dispatcher; resumes in the caller's context; cancelling stops the waiting only.
 *
 * @param terminal the terminal
 * @return the outcome
 */
public suspend fun TerminalApi.readMifareUidAwait(terminal: ExternalTerminal): AdministrationOutcome =
    awaitTerminalRequest("Mifare read", ::administrationOutcome) { readMifareUID(terminal, it) }
