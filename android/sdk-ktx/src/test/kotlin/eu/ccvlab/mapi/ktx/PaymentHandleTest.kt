package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.testing.Fixtures
import eu.ccvlab.mapi.testing.SimulatedTerminal
import java.io.File
import java.util.concurrent.CountDownLatch
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.job
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/**
 * The hot payment handle under lifecycle-bound collection: one payment on the wire whatever its collectors do,
 * an abort only when asked for, and an outcome nobody waited for recorded durably.
 */
class PaymentHandleTest {
    private val payments = PaymentService()

    @get:Rule
    val stateDirectory = TemporaryFolder()

    @After
    fun forgetStateDirectory() = MapiConfig.setStateDirectory(null)

    /** Everything posted to the callback executor before this call has run when it returns. */
    private suspend fun drainCallbackExecutor() = withContext(Dispatchers.IO) {
        val drained = CountDownLatch(1)
        MapiConfig.getCallbackExecutor().execute { drained.countDown() }
        drained.await()
    }

    @Test
    fun collectorsCancelledAndCollectingAgainWatchOnePaymentWithoutAbort() = coTest {
        SimulatedTerminal.startNl("hold").use { simulator ->
            val late = LateRecorder()
            val handle = payments.startPayment(simulator.terminal(), Fixtures.sale(), late)

            // A screen as Android runs it: a StateFlow shared while subscribed, collected while started.
            val screen = CoroutineScope(coroutineContext + Job(coroutineContext.job))
            val display = handle.progress.map { it.cashierDisplay }
                .stateIn(screen, SharingStarted.WhileSubscribed(), emptyList())
            val firstStart = launch { display.collect {} }
            val seenBeforeStop = handle.events.first { it is TerminalEvent.CashierDisplay }
            simulator.reach("AwaitingCard")

            // Stop (rotation, app in background): every collector and the screen's scope go away.
            firstStart.cancelAndJoin()
            screen.cancel()

            // Start again, with two collectors at once (the new screen and a logger, say).
            val again = async { handle.events.toList() }
            val second = async { handle.events.toList() }
            simulator.release(SimulatedTerminal.CARD_PRESENTED)
            simulator.release(SimulatedTerminal.COMPLETION)

            val outcome = handle.await()
            assertTrue("approved: $outcome", outcome is PaymentOutcome.Approved)
            val replayed = again.await()
            assertEquals(replayed, second.await())
            assertSame("every collection replays the same events", seenBeforeStop, replayed.first())
            assertEquals(PaymentEvent.Finished(outcome), replayed.last())
            assertEquals(1, replayed.count { it is PaymentEvent.Finished })

            assertEquals("one payment on the wire", 1, simulator.receivedContaining("CardPayment").size)
            assertEquals("no abort on the wire", 0, simulator.abortRequests().size)
            drainCallbackExecutor()
            assertEquals("received by its collectors, so not late", 0, late.outcomes.get())
        }
    }

    /** The same lifecycle on the deprecated cold flow: what the handle exists to prevent, seen by the same counts. */
    @Suppress("DEPRECATION")
    @Test
    fun theColdFlowUnderTheSameLifecycleAbortsAndStartsASecondPayment() = coTest {
        SimulatedTerminal.startNl("hold").use { simulator ->
            val late = LateRecorder()
            val flow = payments.paymentEvents(simulator.terminal(), Fixtures.sale(), late)
            val firstEvent = CompletableDeferred<Unit>()
            val firstStart = launch { flow.collect { firstEvent.complete(Unit) } }
            firstEvent.await()
            simulator.reach("AwaitingCard")
            firstStart.cancelAndJoin()
            assertTrue("the stop aborted the payment: ${late.abort.await()}", late.abort.await() is AbortOutcome.Accepted)
            late.outcome.await()

            val secondEvent = CompletableDeferred<Unit>()
            val secondStart = launch { flow.collect { secondEvent.complete(Unit) } }
            secondEvent.await()
            assertEquals("a second payment on the wire", 2, simulator.receivedContaining("CardPayment").size)
            assertEquals(1, simulator.abortRequests().size)
            secondStart.cancelAndJoin()
        }
    }

    @Test
    fun onlyAnExplicitAbortAbortsAndAnAbortAfterTheEndSendsNothing() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val late = LateRecorder()
            val handle = payments.startPayment(simulator.terminal(), Fixtures.sale(), late)
            val watcher = launch { handle.events.collect {} }
            simulator.reach("AwaitingCard")
            watcher.cancelAndJoin()
            assertEquals(0, simulator.abortRequests().size)

            val abort = handle.abort()
            assertTrue("accepted: $abort", abort is AbortOutcome.Accepted)
            val outcome = handle.await()
            assertTrue("aborted: $outcome", (outcome as PaymentOutcome.NotApproved).isAborted)
            assertTrue(handle.progress.value.abortRequested)

            assertTrue(handle.abort() is AbortOutcome.NothingToAbort)
            assertEquals(1, simulator.abortRequests().size)
            assertEquals(1, simulator.receivedContaining("CardPayment").size)
        }
    }

    @Test
    fun anOpenQuestionStaysOpenAcrossCollectorsUntilAnswered() = coTest {
        SimulatedTerminal.startNl("signature").use { simulator ->
            val late = LateRecorder()
            val handle = payments.startPayment(simulator.terminal(), Fixtures.sale(), late)
            val asked = CompletableDeferred<PaymentEvent.Question>()
            val firstScreen = launch {
                handle.events.collect { if (it is PaymentEvent.Question) asked.complete(it) }
            }
            val question = asked.await()
            firstScreen.cancelAndJoin()
            assertFalse("nobody answered for the app", question.isAnswered)
            assertSame(question, handle.progress.value.openQuestion)

            val outcome = async { handle.await() }
            val again = handle.events.first { it is PaymentEvent.Question } as PaymentEvent.Question
            assertSame(question, again)
            assertTrue(again.answer(true))
            assertNull(handle.progress.first { it.openQuestion == null }.openQuestion)
            assertTrue("approved: ${outcome.await()}", outcome.await() is PaymentOutcome.Approved)
            assertEquals(0, simulator.abortRequests().size)
        }
    }

    @Test
    fun anOutcomeNobodyWaitsForIsRecordedInTheStateDirectoryUntilAcknowledged() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            MapiConfig.setStateDirectory(stateDirectory.root)
            assertSame(LateOutcomes.recorder, MapiCoroutines.lateOutcomeHandler)
            // Nobody awaits or collects: the screen that started it is gone.
            val handle = payments.startPayment(simulator.terminal(), Fixtures.sale())
            val outcome = handle.progress.first { it.outcome != null }.outcome
            assertTrue("approved: $outcome", outcome is PaymentOutcome.Approved)
            drainCallbackExecutor()

            // Other tests' late outcomes may sit in memory (no state directory there) or, arriving late, even
            // here: ours is the one on disk from this simulator's terminal.
            val directory = File(stateDirectory.root, "late-outcomes")
            val address = "${handle.terminal.ipAddress()}:${handle.terminal.port()}"
            suspend fun onDisk() = LateOutcomes.records()
                .filter { File(directory, it.key + ".properties").isFile && it.terminal == address }
            val record = onDisk().single()
            assertEquals("APPROVED", record.outcome)
            assertEquals(outcome!!.requestId, record.requestId)
            assertEquals("12.50 EUR", record.amount)
            assertFalse(record.abortSent)
            val file = File(directory, record.key + ".properties")

            // Coming back later still gets it, from the handle.
            assertSame(outcome, handle.await())
            assertTrue(LateOutcomes.acknowledge(record.key))
            assertTrue(onDisk().isEmpty())
            assertFalse(file.exists())
            assertFalse(LateOutcomes.acknowledge("../" + record.key))
        }
    }

    @Test
    fun anAwaitCancelledBeforeTheOutcomeLeavesItToTheLateHandler() = coTest {
        SimulatedTerminal.startNl("hold").use { simulator ->
            val late = LateRecorder()
            val handle = payments.startPayment(simulator.terminal(), Fixtures.sale(), late)
            val waiting = launch { handle.await() }
            simulator.reach("AwaitingCard")
            waiting.cancelAndJoin()
            simulator.release(SimulatedTerminal.CARD_PRESENTED)
            simulator.release(SimulatedTerminal.COMPLETION)

            val recorded = late.outcome.await()
            assertTrue("approved: ${recorded.outcome}", recorded.outcome is PaymentOutcome.Approved)
            assertSame(handle.payment, recorded.payment)
            assertNotNull(handle.outcome)
            drainCallbackExecutor()
            assertEquals(1, late.outcomes.get())
            assertEquals(0, simulator.abortRequests().size)
        }
    }
}
