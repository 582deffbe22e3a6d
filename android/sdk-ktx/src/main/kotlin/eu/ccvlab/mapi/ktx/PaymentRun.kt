package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.payment.Payment
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicBoolean
import java.util.logging.Level
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * One payment seen as a stream: the Java delegate on one side, a channel that the flow drains on the other.
 *
 * The invariant that matters: every final callback ends up exactly once either in the collector's hands (as
 * [PaymentEvent.Finished]) or in the late-outcome handler, whatever the interleaving of the callback executor
 * and the collector's cancellation. The lock decides, once, whether the collector is still there; the channel's
 * undelivered-element hook catches a Finished that was queued but never received; [handedOver] keeps the
 * racing paths from reporting twice.
 */
internal class PaymentRun(
    private val terminal: ExternalTerminal,
    private val payment: Payment?,
    private val sendAbort: ((TerminalDelegate) -> Unit)?,
    private val handler: LateOutcomeHandler,
) : PaymentEventDelegate() {
    private val lock = Any()
    private var state = RUNNING
    private var abortSent = false
    private val handedOver = AtomicBoolean()
    private val pendingAnswers = ConcurrentLinkedQueue<PaymentEvent>()

    val events: Channel<PaymentEvent> = Channel(Channel.UNLIMITED, onUndeliveredElement = ::undelivered)

    private fun undelivered(event: PaymentEvent) {
        when (event) {
            is PaymentEvent.Finished -> late(event.outcome)
            else -> declineIfOpen(event)
        }
    }

    // The callback executor must never block, hence trySend into an unlimited buffer.
    override fun push(event: PaymentEvent) {
        events.trySend(event)
    }

    override fun ask(event: PaymentEvent) {
        pendingAnswers.add(event)
        // After the collection stopped nobody will answer: say no now rather than leave the terminal waiting.
        if (!events.trySend(event).isSuccess) declineIfOpen(event)
    }

    override fun finish(outcome: PaymentOutcome) {
        val collectorWaits = synchronized(lock) {
            if (state == RUNNING) {
                state = FINISHED
                true
            } else {
                false
            }
        }
        if (!collectorWaits) {
            late(outcome)
            return
        }
        val queued = events.trySend(PaymentEvent.Finished(outcome)).isSuccess
        events.close()
        if (!queued) late(outcome)
    }

    /** Hands [outcome] to the late-outcome handler unless someone already received it. Any thread. */
    fun late(outcome: PaymentOutcome) {
        if (!handedOver.compareAndSet(false, true)) return
        val sent = synchronized(lock) { abortSent }
        val late = LatePaymentOutcome(terminal, payment, outcome, sent)
        MapiCoroutines.onCallbackExecutor("onLateOutcome") { handler.onLateOutcome(late) }
    }

    /**
     * The collector is gone (finished, cancelled or failed). If the payment still runs, ask the terminal to
     * abort it; whatever it then ends with goes to the late-outcome handler. Any thread; idempotent.
     */
    fun abandon() {
        val abortNow = synchronized(lock) {
            if (state == RUNNING) {
                state = ABANDONED
                abortSent = sendAbort != null
                abortSent
            } else {
                false
            }
        }
        if (abortNow) {
            try {
                sendAbort!!.invoke(AbortReporter(terminal, handler))
            } catch (failure: RuntimeException) {
                MapiCoroutines.logger.log(Level.SEVERE, "abort on cancellation could not be sent", failure)
            }
        }
        // Cancelling before declining: a question arriving from now on fails trySend and is declined in ask().
        events.cancel()
        for (event in pendingAnswers) declineIfOpen(event)
    }

    private fun declineIfOpen(event: PaymentEvent) {
        when (event) {
            is PaymentEvent.Question -> event.answer(false)
            is PaymentEvent.SignatureRequest -> event.decline()
            else -> Unit
        }
    }

    private companion object {
        const val RUNNING = 0
        const val FINISHED = 1
        const val ABANDONED = 2
    }
}

/** Tells the app how the terminal answered the abort that a stopped payment coroutine sent. */
private class AbortReporter(
    private val terminal: ExternalTerminal,
    private val handler: LateOutcomeHandler,
) : TerminalDelegate {
    override fun onPaymentAdministrationSuccess(result: PaymentAdministrationResult<*>) =
        report(AbortOutcome.Accepted(result))

    override fun onError(error: Error) = report(AbortOutcome.of(error))

    private fun report(outcome: AbortOutcome) =
        MapiCoroutines.onCallbackExecutor("onCancellationAbort") { handler.onCancellationAbort(terminal, outcome) }
}

/**
 * The cold flow behind every payment extension: each collection starts one request through [start] and stops
 * after [PaymentEvent.Finished]. Leaving the collection early, for any reason, abandons the run.
 */
internal fun paymentRunFlow(
    terminal: ExternalTerminal,
    payment: Payment?,
    sendAbort: ((TerminalDelegate) -> Unit)?,
    handler: LateOutcomeHandler,
    start: (PaymentDelegate) -> Unit,
): Flow<PaymentEvent> = flow {
    // A collector cancelled before it started must not start a payment it can no longer follow.
    currentCoroutineContext().ensureActive()
    val run = PaymentRun(terminal, payment, sendAbort, handler)
    start(run)
    try {
        for (event in run.events) {
            if (event is PaymentEvent.Finished) {
                try {
                    emit(event)
                } catch (cancelled: CancellationException) {
                    // emit checks for cancellation before calling the collector: the outcome may not have
                    // reached it, and a duplicate is recoverable where a loss is not.
                    run.late(event.outcome)
                    throw cancelled
                }
                return@flow
            }
            emit(event)
        }
    } finally {
        run.abandon()
    }
}
