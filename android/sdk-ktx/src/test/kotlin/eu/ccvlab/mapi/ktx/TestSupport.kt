package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import eu.ccvlab.mapi.testing.SimulatedTerminal
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

/** Runs a test body with the simulator's failure guard as a timeout: reached only when a test fails. */
fun coTest(block: suspend CoroutineScope.() -> Unit): Unit = runBlocking {
    withTimeout(SimulatedTerminal.WAIT_MILLIS) { block() }
}

/** The simulator's blocking wait, off the test's event loop so that collectors keep running meanwhile. */
suspend fun SimulatedTerminal.reach(step: String): Unit = withContext(Dispatchers.IO) { awaitStep(step) }

/** A late-outcome handler that lets a test wait for what it receives and count how often. */
class LateRecorder : LateOutcomeHandler {
    val outcome = CompletableDeferred<LatePaymentOutcome>()
    val abort = CompletableDeferred<AbortOutcome>()
    val outcomes = AtomicInteger()
    val aborts = AtomicInteger()

    override fun onLateOutcome(late: LatePaymentOutcome) {
        outcomes.incrementAndGet()
        outcome.complete(late)
    }

    override fun onCancellationAbort(terminal: ExternalTerminal, outcome: AbortOutcome) {
        aborts.incrementAndGet()
        abort.complete(outcome)
    }
}

/** Consecutive duplicates merged: the shape of a run's event sequence. */
fun shape(events: List<PaymentEvent>): List<String> {
    val names = events.map {
        when (it) {
            is TerminalEvent.ReceiptReady -> "Receipt:${it.kind}"
            is PaymentEvent.Finished -> "Finished:${it.outcome::class.simpleName}"
            else -> it::class.simpleName!!
        }
    }
    return names.filterIndexed { index, name -> index == 0 || names[index - 1] != name }
}
