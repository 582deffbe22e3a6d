package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.testing.Fixtures
import eu.ccvlab.mapi.testing.SimulatedTerminal
import java.util.concurrent.CountDownLatch
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancel
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.job
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/**
 * Cancelling a payment coroutine sends the abort, ends the coroutine at once, and still delivers the payment's
 * real outcome, exactly once, to the late-outcome handler.
 */
class CancellationTest {
    private val payments = PaymentService()

    /** Everything posted to the callback executor before this call has run when it returns. */
    private suspend fun drainCallbackExecutor() = withContext(Dispatchers.IO) {
        val drained = CountDownLatch(1)
        MapiConfig.getCallbackExecutor().execute { drained.countDown() }
        drained.await()
    }

    private suspend fun assertAbortedLate(late: LateRecorder, simulator: SimulatedTerminal) {
        val outcome = late.outcome.await()
        assertTrue("late outcome aborted: $outcome", (outcome.outcome as PaymentOutcome.NotApproved).isAborted)
        assertTrue(outcome.abortSent)
        assertEquals(1, simulator.abortRequests().size)
        drainCallbackExecutor()
        assertEquals("the outcome is reported exactly once", 1, late.outcomes.get())
    }

    @Test
    fun cancellingWhileTheCardIsAwaitedSendsAnAbortAndTheAbortedOutcomeArrivesLate() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val terminal = simulator.terminal()
            val late = LateRecorder()
            val sale = Fixtures.sale()
            val job = launch {
                payments.paymentAwait(terminal, sale, late)
                fail("a cancelled paymentAwait must not return")
            }
            simulator.reach("AwaitingCard")
            assertEquals(0, simulator.abortRequests().size)
            job.cancelAndJoin()
            assertTrue(job.isCancelled)

            assertTrue("abort accepted: ${late.abort.await()}", late.abort.await() is AbortOutcome.Accepted)
            assertAbortedLate(late, simulator)
            assertSame(sale, late.outcome.await().payment)
            assertSame(terminal, late.outcome.await().terminal)
        }
    }

    @Test
    fun cancellingTooLateEndsAtOnceAndTheApprovedOutcomeIsNotLost() = coTest {
        SimulatedTerminal.startNl("too-late").use { simulator ->
            val terminal = simulator.terminal()
            val late = LateRecorder()
            val job = launch { payments.paymentAwait(terminal, Fixtures.sale(), late) }
            simulator.reach("AwaitingCompletion")
            job.cancelAndJoin()

            val abort = late.abort.await()
            assertTrue("the terminal refused the abort: $abort", abort is AbortOutcome.Refused)
            assertEquals(1, simulator.abortRequests().size)
            // The simulator holds the completion: the coroutine ended before anyone knew how the payment ends.
            assertFalse(late.outcome.isCompleted)

            simulator.release(SimulatedTerminal.COMPLETION)
            val outcome = late.outcome.await()
            assertTrue("approved after all: $outcome", outcome.outcome is PaymentOutcome.Approved)
            assertEquals(Fixtures.twelveFifty(), (outcome.outcome as PaymentOutcome.Approved).result.amount())
            assertTrue(outcome.abortSent)
            drainCallbackExecutor()
            assertEquals(1, late.outcomes.get())
            assertEquals(1, late.aborts.get())
        }
    }

    @Test
    fun aTimeoutAroundPaymentAwaitAbortsThePayment() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val late = LateRecorder()
            // The card is never presented: only the timeout can end this wait.
            val outcome = withTimeoutOrNull(300) { payments.paymentAwait(simulator.terminal(), Fixtures.sale(), late) }
            assertNull(outcome)
            assertAbortedLate(late, simulator)
        }
    }

    @Test
    fun aCollectorThatStopsEarlyAbortsThePayment() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val late = LateRecorder()
            val first = payments.paymentEvents(simulator.terminal(), Fixtures.sale(), late).first()
            assertTrue("first event is display: $first", first is TerminalEvent.CashierDisplay)
            assertAbortedLate(late, simulator)
        }
    }

    @Test
    fun aCollectorThatThrowsAbortsThePaymentAndTheExceptionPropagates() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val late = LateRecorder()
            val thrown = runCatching {
                payments.paymentEvents(simulator.terminal(), Fixtures.sale(), late).collect {
                    if (it is TerminalEvent.CashierDisplay) throw IllegalStateException("printer on fire")
                }
            }.exceptionOrNull()
            assertEquals("printer on fire", thrown?.message)
            assertAbortedLate(late, simulator)
        }
    }

    @Test
    fun anOpenQuestionIsAnsweredNoWhenTheCollectorIsCancelled() = coTest {
        SimulatedTerminal.startNl("signature").use { simulator ->
            val late = LateRecorder()
            var question: PaymentEvent.Question? = null
            val job = launch {
                payments.paymentEvents(simulator.terminal(), Fixtures.sale(), late).collect {
                    if (it is PaymentEvent.Question) {
                        question = it
                        coroutineContext.job.cancel()
                    }
                }
            }
            job.join()
            assertTrue(question!!.isAnswered)
            // Unanswered, the terminal would wait forever and no outcome would ever come.
            val outcome = late.outcome.await()
            assertTrue("not approved: $outcome", outcome.outcome is PaymentOutcome.NotApproved)
            drainCallbackExecutor()
            assertEquals(1, late.outcomes.get())
        }
    }

    @Test
    fun aCoroutineCancelledBeforeItStartsThePaymentSendsNothing() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val terminal = simulator.terminal()
            val late = LateRecorder()
            val job = launch(start = CoroutineStart.UNDISPATCHED) {
                coroutineContext.job.cancel()
                payments.paymentAwait(terminal, Fixtures.sale(), late)
                fail("a cancelled coroutine must not start a payment")
            }
            job.join()
            assertTrue(job.isCancelled)
            // The next payment is the first the terminal sees.
            assertTrue(payments.paymentAwait(terminal, Fixtures.sale()) is PaymentOutcome.Approved)
            assertEquals(1, simulator.receivedContaining("CardPayment").size)
            assertEquals(0, simulator.abortRequests().size)
            drainCallbackExecutor()
            assertEquals(0, late.outcomes.get())
        }
    }
}
