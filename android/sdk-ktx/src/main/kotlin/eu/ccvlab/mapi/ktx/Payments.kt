@file:JvmName("PaymentsKt")

package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.PaymentApi
import eu.ccvlab.mapi.core.api.TerminalApi
import eu.ccvlab.mapi.core.payment.Payment
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import kotlinx.coroutines.flow.Flow

// Cancellation, in one place for every function below. Stopping the coroutine (cancel, withTimeout, a
// collector that throws or stops early with first()/take()) while the payment still runs:
//   1. sends PaymentApi.abort on the same terminal (once; nothing for a recovery),
//   2. answers "no" to any question still open, so the terminal is never left waiting,
//   3. throws CancellationException at once: the coroutine does not wait for the terminal,
//   4. hands the payment's real outcome, when it arrives (ABORTED if the abort was accepted, often APPROVED
//      if it came too late), to the LateOutcomeHandler, on the callback executor, exactly once.
// Waiting for the terminal instead would make cancellation take as long as a cardholder at a PIN pad; dropping
// the outcome would lose money. The handler is the way between those two.

/**
 * Deprecated: use [startPayment], whose payment survives the collector. Starts a payment each time the returned
 * cold flow is collected, and emits what the terminal sends while it
 * runs: display lines, receipts, e-journal, questions to answer, then exactly one [PaymentEvent.Finished], after
 * which the flow completes. A refused, declined or failed payment is a [PaymentOutcome], never an exception.
 *
 * Collect from any dispatcher (Main included: nothing blocks); events arrive in the collector's context, in
 * protocol order. Answer each [PaymentEvent.Question] / [PaymentEvent.SignatureRequest]: the terminal waits.
 *
 * Stopping the collection before [PaymentEvent.Finished] (cancellation, a throwing collector, `first()`…)
 * aborts the payment on the same terminal and hands its real outcome to [onLateOutcome] later, on the
 * callback executor; the collection itself ends at once.
 *
 * @param terminal the terminal
 * @param payment type and amount
 * @param onLateOutcome receives the outcome if the collection stopped first; default
 *   [MapiCoroutines.lateOutcomeHandler] as it is when this function is called
 * @return the cold flow of one payment per collection
 * @throws NullPointerException at once if called from Java with a null argument (nothing is sent)
 */
@Deprecated(
    "A cold flow: cancelling its collection aborts the payment and collecting it again starts another one, " +
        "which lifecycle-bound collection (repeatOnLifecycle, stateIn(WhileSubscribed), a rotation) does. " +
        "Start the payment with startPayment and collect the handle's events or progress: see docs/kotlin.md.",
    ReplaceWith("startPayment(terminal, payment, onLateOutcome).events"),
)
public fun PaymentApi.paymentEvents(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
): Flow<PaymentEvent> = paymentRunFlow(terminal, payment, { abort(terminal, it) }, onLateOutcome) {
    payment(terminal, payment, it)
}

/**
 * Deprecated: use [startReservation]. As [paymentEvents], for a reservation (pre-authorisation,
 * `PaymentApi.reservation`). Same threads and cancellation.
 *
 * @param terminal the terminal
 * @param payment the amount to reserve
 * @param onLateOutcome receives the outcome if the collection stopped first
 * @return the cold flow of one reservation per collection
 */
@Deprecated(
    "A cold flow: cancelling its collection aborts the payment and collecting it again starts another one, " +
        "which lifecycle-bound collection (repeatOnLifecycle, stateIn(WhileSubscribed), a rotation) does. " +
        "Start it with startReservation and collect the handle's events or progress: see docs/kotlin.md.",
    ReplaceWith("startReservation(terminal, payment, onLateOutcome).events"),
)
public fun PaymentApi.reservationEvents(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
): Flow<PaymentEvent> = paymentRunFlow(terminal, payment, { abort(terminal, it) }, onLateOutcome) {
    reservation(terminal, payment, it)
}

/**
 * Runs a payment and returns how it ended. Call from any coroutine on any dispatcher (Main included); it
 * suspends without blocking and resumes in the caller's context.
 *
 * [onEvent] sees every other event, in protocol order, in the caller's context: print the receipts, store the
 * e-journal, answer the questions (the default answers every question "no", as the Java delegate's defaults
 * do, and ignores the rest). A question [onEvent] leaves unanswered keeps the terminal waiting.
 *
 * Cancelling the caller aborts the payment and throws [kotlinx.coroutines.CancellationException] at once; the
 * payment's real outcome then goes to [onLateOutcome], on the callback executor (see [paymentEvents]). The
 * payment thus lives as long as the calling coroutine: call it from a scope that outlives the screen
 * (`viewModelScope`), never from an Activity's `lifecycleScope`, or use [startPayment].
 *
 * @param terminal the terminal
 * @param payment type and amount
 * @param onLateOutcome receives the outcome if the caller was cancelled first
 * @param onEvent called for each event but the final one
 * @return the outcome
 */
public suspend fun PaymentApi.paymentAwait(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
    onEvent: suspend (PaymentEvent) -> Unit = ::answerNo,
): PaymentOutcome = paymentRunFlow(terminal, payment, { abort(terminal, it) }, onLateOutcome) {
    payment(terminal, payment, it)
}.outcome(onEvent)

/**
 * As [paymentAwait], for a reservation. Same threads and cancellation.
 *
 * @param terminal the terminal
 * @param payment the amount to reserve
 * @param onLateOutcome receives the outcome if the caller was cancelled first
 * @param onEvent called for each event but the final one
 * @return the outcome
 */
public suspend fun PaymentApi.reservationAwait(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
    onEvent: suspend (PaymentEvent) -> Unit = ::answerNo,
): PaymentOutcome = paymentRunFlow(terminal, payment, { abort(terminal, it) }, onLateOutcome) {
    reservation(terminal, payment, it)
}.outcome(onEvent)

/**
 * Settles a payment whose outcome is unknown ([PaymentOutcome.NeedsRecovery]) by asking the terminal for its
 * last answer (`TerminalApi.recoverPayment`): [PaymentOutcome.Approved] or [PaymentOutcome.NotApproved] with
 * `recovered()` true, or [PaymentOutcome.Failed]/[PaymentOutcome.NeedsRecovery] (try again later).
 *
 * Call from any coroutine on any dispatcher; resumes in the caller's context. Cancelling sends nothing (there
 * is nothing to abort) and throws at once; an answer that arrives later goes to [onLateOutcome].
 *
 * @param terminal the terminal
 * @param requestId the payment's RequestID ([PaymentOutcome.requestId]), or null
 * @param onLateOutcome receives the outcome if the caller was cancelled first
 * @return the recovered outcome
 */
public suspend fun TerminalApi.recoverPaymentAwait(
    terminal: ExternalTerminal,
    requestId: String?,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
): PaymentOutcome = paymentRunFlow(terminal, null, null, onLateOutcome) {
    recoverPayment(terminal, requestId, it)
}.outcome(::answerNo)

private suspend fun Flow<PaymentEvent>.outcome(onEvent: suspend (PaymentEvent) -> Unit): PaymentOutcome {
    var outcome: PaymentOutcome? = null
    collect { event ->
        if (event is PaymentEvent.Finished) outcome = event.outcome else onEvent(event)
    }
    return checkNotNull(outcome) { "a payment flow completed without its final event" }
}

private fun answerNo(event: PaymentEvent) {
    when (event) {
        is PaymentEvent.Question -> event.answer(false)
        is PaymentEvent.SignatureRequest -> event.decline()
        else -> Unit
    }
}
