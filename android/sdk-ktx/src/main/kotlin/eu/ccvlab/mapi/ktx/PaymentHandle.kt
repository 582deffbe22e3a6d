package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.MAPIError
import eu.ccvlab.mapi.core.api.PaymentApi
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.payment.Payment
import eu.ccvlab.mapi.core.requests.ResultState
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.transformWhile
import kotlinx.coroutines.flow.update

/**
 * Starts a payment now and returns its [PaymentHandle]: the payment runs until the terminal settles it or
 * [PaymentHandle.abort] is called, whoever collects or awaits the handle meanwhile. Keep the handle where a
 * configuration change does not reach (a ViewModel); see docs/kotlin.md.
 *
 * Thread: any; returns at once. The handle's state changes on the callback executor (the main thread after
 * `MAPI.initialize`).
 *
 * @param terminal the terminal
 * @param payment type and amount
 * @param onLateOutcome receives the outcome if it arrives while nobody awaits or collects the handle; default
 *   [MapiCoroutines.lateOutcomeHandler] as it is now, which records it durably ([LateOutcomes.recorder])
 * @return the running payment
 */
public fun PaymentApi.startPayment(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
): PaymentHandle {
    val handle = PaymentHandle(terminal, payment, { abort(terminal, it) }, onLateOutcome)
    payment(terminal, payment, handle.delegate)
    return handle
}

/**
 * As [startPayment], for a reservation (pre-authorisation, `PaymentApi.reservation`). Same threads.
 *
 * @param terminal the terminal
 * @param payment the amount to reserve
 * @param onLateOutcome receives the outcome if it arrives while nobody awaits or collects the handle
 * @return the running reservation
 */
public fun PaymentApi.startReservation(
    terminal: ExternalTerminal,
    payment: Payment,
    onLateOutcome: LateOutcomeHandler = MapiCoroutines.lateOutcomeHandler,
): PaymentHandle {
    val handle = PaymentHandle(terminal, payment, { abort(terminal, it) }, onLateOutcome)
    reservation(terminal, payment, handle.delegate)
    return handle
}

/**
 * What a [PaymentHandle] has seen so far, replaced as a whole at every event: a screen renders it as it is.
 * Immutable; read it on any thread.
 *
 * @property events every event so far, in protocol order; the last is [PaymentEvent.Finished] once it ended
 * @property openQuestion the [PaymentEvent.Question] or [PaymentEvent.SignatureRequest] the terminal waits on
 *   and nobody answered yet, or null
 * @property abortRequested whether [PaymentHandle.abort] was called
 */
public data class PaymentProgress(
    val events: List<PaymentEvent>,
    val openQuestion: PaymentEvent?,
    val abortRequested: Boolean,
) {
    /** The cashier display's latest lines, or empty before the first. Any thread. */
    public val cashierDisplay: List<String>
        get() = events.filterIsInstance<TerminalEvent.CashierDisplay>().lastOrNull()?.texts.orEmpty()

    /** The receipts so far, in order. Any thread. */
    public val receipts: List<TerminalEvent.ReceiptReady>
        get() = events.filterIsInstance<TerminalEvent.ReceiptReady>()

    /** How the payment ended, or null while it runs. Any thread. */
    public val outcome: PaymentOutcome?
        get() = (events.lastOrNull() as? PaymentEvent.Finished)?.outcome
}

/**
 * One running payment, independent of any coroutine: collecting, cancelling and collecting again only watches
 * it. A lifecycle-bound collection (`repeatOnLifecycle`, `stateIn(WhileSubscribed)`, a rotation) therefore sees
 * one payment from start to end, never an abort it did not ask for and never a second payment.
 *
 * Its outcome is delivered to whoever [await]s it or collects [events] to the end. If, when the outcome
 * arrives, nobody does (or everyone who did was cancelled before receiving it), it goes to the late-outcome
 * handler given to [startPayment], exactly once, on the callback executor; it stays readable here as well, so
 * a caller that comes back later gets it too (book by RequestID to count it once).
 *
 * Every member may be used from any thread.
 */
public class PaymentHandle internal constructor(
    /** The terminal the payment runs on. */
    public val terminal: ExternalTerminal,
    /** What was asked. */
    public val payment: Payment,
    private val sendAbort: (TerminalDelegate) -> Unit,
    private val lateHandler: LateOutcomeHandler,
) {
    private val lock = Any()
    private var receivers = 0
    private var delivered = false
    private var lateSent = false
    private var abortSent = false
    private var finalOutcome: PaymentOutcome? = null
    private val state = MutableStateFlow(PaymentProgress(emptyList(), null, false))

    /**
     * The payment as it stands, for a screen: collect it with any lifecycle-bound operator, as often as needed.
     * Watching it does not count as receiving the outcome (see [await]).
     */
    public val progress: StateFlow<PaymentProgress> = state.asStateFlow()

    /**
     * Every event of this payment from its first, then the new ones as they come, ending with exactly one
     * [PaymentEvent.Finished], after which the flow completes. Each collection replays the same sequence, so a
     * collector that starts again after a configuration change sees the receipts and questions it missed (a
     * question already answered has [PaymentEvent.Question.isAnswered] true). Events arrive in the collector's
     * context. Cancelling a collection does nothing to the payment. A collection that emitted
     * [PaymentEvent.Finished] to its collector counts as having received the outcome.
     */
    public val events: Flow<PaymentEvent> = flow {
        enter()
        var received = false
        try {
            var next = 0
            val replay = state.transformWhile { progress ->
                var more = true
                while (more && next < progress.events.size) {
                    val event = progress.events[next++]
                    emit(event)
                    if (event is PaymentEvent.Finished) {
                        received = true
                        more = false
                    }
                }
                more
            }
            replay.collect { emit(it) }
        } finally {
            leave(received)
        }
    }

    /** How the payment ended, or null while it runs. Does not count as receiving it. Any thread. */
    public val outcome: PaymentOutcome? get() = synchronized(lock) { finalOutcome }

    /**
     * Suspends until the payment ends and returns how; at once if it already has. Call from any coroutine on any
     * dispatcher (Main included); resumes in the caller's context. Cancelling the caller only stops this wait.
     * Await from the scope that owns the handle (`viewModelScope`), right after starting it.
     *
     * @return the outcome
     */
    public suspend fun await(): PaymentOutcome {
        enter()
        var received = false
        try {
            val outcome = checkNotNull(state.first { it.outcome != null }.outcome)
            received = true
            return outcome
        } finally {
            leave(received)
        }
    }

    /**
     * Asks the terminal to abort this payment (`PaymentApi.abort` on its terminal), then answers "no" to any
     * question still open so the terminal is not left waiting, and returns the terminal's answer. A refusal
     * ([AbortOutcome.Refused]: too late) is a normal answer: the payment then ends on its own, usually approved.
     * After the payment ended nothing is sent (another payment may run on that terminal by now) and the answer
     * is [AbortOutcome.NothingToAbort].
     *
     * Call from any coroutine on any dispatcher; resumes in the caller's context. Cancelling only stops the
     * waiting: the AbortRequest has been sent.
     *
     * @return the terminal's answer
     */
    public suspend fun abort(): AbortOutcome {
        val send = synchronized(lock) {
            if (finalOutcome == null) abortSent = true
            finalOutcome == null
        }
        if (!send) {
            return AbortOutcome.NothingToAbort(
                Error(MAPIError.NOT_A_FLOW_HAPPENING, ResultState.FAILURE, null, false, "the payment already ended"),
            )
        }
        state.update { it.copy(abortRequested = true) }
        return awaitTerminalRequest("abort", { result, error, _ -> abortOutcome(result, error) }) { reporter ->
            sendAbort(reporter)
            for (event in state.value.events) declineIfOpen(event)
        }
    }

    /** For logs: the payment, its state and outcome. Any thread. */
    override fun toString(): String = "PaymentHandle($payment on $terminal, outcome=$outcome)"

    internal val delegate: PaymentDelegate = object : PaymentEventDelegate() {
        override fun push(event: PaymentEvent) = append(event)

        override fun ask(event: PaymentEvent) {
            append(event)
            // An abort already asked for wants the terminal free, not waiting on a question nobody will answer.
            if (state.value.abortRequested) declineIfOpen(event)
        }

        override fun finish(outcome: PaymentOutcome) {
            val late = synchronized(lock) {
                if (finalOutcome != null) return
                finalOutcome = outcome
                takeLateTurn()
            }
            // Posted before anyone can see the outcome here, so that whoever sees it and then drains the
            // callback executor knows the late handler has run.
            late?.let(::handOverLate)
            append(PaymentEvent.Finished(outcome))
        }

        override fun answered() = state.update { it.copy(openQuestion = openQuestion(it.events)) }
    }

    private fun append(event: PaymentEvent) = state.update { progress ->
        val events = progress.events + event
        progress.copy(events = events, openQuestion = openQuestion(events))
    }

    private fun enter() = synchronized(lock) { receivers++ }

    private fun leave(received: Boolean) {
        val late = synchronized(lock) {
            receivers--
            if (received) delivered = true
            takeLateTurn()
        }
        late?.let(::handOverLate)
    }

    // Under lock. The outcome goes late once nobody is left who could still receive it.
    private fun takeLateTurn(): PaymentOutcome? {
        val outcome = finalOutcome
        if (outcome == null || delivered || lateSent || receivers > 0) return null
        lateSent = true
        return outcome
    }

    private fun handOverLate(outcome: PaymentOutcome) {
        val late = LatePaymentOutcome(terminal, payment, outcome, synchronized(lock) { abortSent })
        MapiCoroutines.onCallbackExecutor("onLateOutcome") { lateHandler.onLateOutcome(late) }
    }

    private companion object {
        fun openQuestion(events: List<PaymentEvent>): PaymentEvent? = events.lastOrNull {
            (it is PaymentEvent.Question && !it.isAnswered) || (it is PaymentEvent.SignatureRequest && !it.isAnswered)
        }

        fun declineIfOpen(event: PaymentEvent) {
            when (event) {
                is PaymentEvent.Question -> event.answer(false)
                is PaymentEvent.SignatureRequest -> event.decline()
                else -> Unit
            }
        }
    }
}
