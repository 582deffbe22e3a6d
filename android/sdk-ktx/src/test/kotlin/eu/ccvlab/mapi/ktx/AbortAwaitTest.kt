package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.api.TokenService
import eu.ccvlab.mapi.core.requests.ResultState
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType
import eu.ccvlab.mapi.testing.Fixtures
import eu.ccvlab.mapi.testing.SimulatedTerminal
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.toList
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** abortAwait on PaymentApi and TokenApi (certification F1A, F1B, unattended aborts) against the simulator. */
class AbortAwaitTest {
    private val payments = PaymentService()

    private fun f1a(type: TerminalType, mode: SocketMode, newConnection: Boolean) = coTest {
        SimulatedTerminal.start(type, mode, "abort-window").use { simulator ->
            val terminal = simulator.terminal()
            val payment = async { payments.paymentEvents(terminal, Fixtures.sale()).toList() }
            simulator.reach("AwaitingCard")
            val abort = if (newConnection) payments.abortOnNewConnectionAwait(terminal) else payments.abortAwait(terminal)
            assertTrue("accepted: $abort", abort is AbortOutcome.Accepted)
            assertEquals(ResultState.SUCCESS, (abort as AbortOutcome.Accepted).result.resultState())

            val events = payment.await()
            val outcome = (events.last() as PaymentEvent.Finished).outcome as PaymentOutcome.NotApproved
            assertTrue(outcome.isAborted)
            val display = events.filterIsInstance<TerminalEvent.CashierDisplay>().flatMap { it.texts }
            assertTrue("a normal abort shows Aborted: $display", display.contains("Aborted"))
            assertEquals(1, simulator.abortRequests().size)
        }
    }

    @Test
    fun f1aAbortAwaitIsAcceptedAndThePaymentEndsAbortedOpiNlDualSocket() =
        f1a(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET, false)

    @Test
    fun f1aAbortAwaitIsAcceptedAndThePaymentEndsAbortedOpiDeSingleSocket() =
        f1a(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET, false)

    @Test
    fun f1aAbortOnNewConnectionAwaitIsAccepted() = f1a(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET, true)

    @Test
    fun f1bAbortAfterAuthorisationIsRefusedAsAnOutcomeAndThePaymentIsApproved() = coTest {
        SimulatedTerminal.startNl("too-late").use { simulator ->
            val terminal = simulator.terminal()
            val payment = async { payments.paymentAwait(terminal, Fixtures.sale()) }
            simulator.reach("AwaitingCompletion")
            val abort = payments.abortAwait(terminal)
            assertTrue("refused: $abort", abort is AbortOutcome.Refused)
            abort as AbortOutcome.Refused
            assertNull("the terminal refused, not the SDK", abort.error.mapiError())
            assertEquals(ResultState.FAILURE, abort.error.resultState())
            assertFalse("the payment still runs", payment.isCompleted)

            simulator.release(SimulatedTerminal.COMPLETION)
            val outcome = payment.await()
            assertTrue("approved: $outcome", outcome is PaymentOutcome.Approved)
            assertEquals(Fixtures.twelveFifty(), (outcome as PaymentOutcome.Approved).result.amount())
            assertEquals(1, simulator.abortRequests().size)
        }
    }

    @Test
    fun abortWithNothingRunningIsNothingToAbortAndSendsNothing() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val terminal = simulator.builder().build()
            assertTrue(payments.abortAwait(terminal) is AbortOutcome.NothingToAbort)
            assertTrue(payments.abortOnNewConnectionAwait(terminal) is AbortOutcome.NothingToAbort)
            assertTrue(TokenService().abortAwait(true, terminal) is AbortOutcome.NothingToAbort)
            assertEquals(emptyList<String>(), simulator.receivedXml())
        }
    }

    private fun tokenAbort(silent: Boolean, newConnection: Boolean) = coTest {
        val case = "silent=$silent newConnection=$newConnection"
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val terminal = simulator.terminal()
            val payment = async { payments.paymentEvents(terminal, Fixtures.sale()).toList() }
            simulator.reach("AwaitingCard")
            val tokens = TokenService()
            val abort = if (newConnection) tokens.abortOnNewConnectionAwait(silent, terminal)
            else tokens.abortAwait(silent, terminal)
            assertTrue("$case: accepted: $abort", abort is AbortOutcome.Accepted)

            val events = payment.await()
            val outcome = (events.last() as PaymentEvent.Finished).outcome
            assertTrue("$case: aborted: $outcome", (outcome as PaymentOutcome.NotApproved).isAborted)
            val aborts = simulator.abortRequests()
            assertEquals(case, 1, aborts.size)
            assertEquals("$case: SilentAbort on the wire: ${aborts[0]}", silent, aborts[0].contains("SilentAbort"))
            val display = events.filterIsInstance<TerminalEvent.CashierDisplay>().flatMap { it.texts }
            assertEquals("$case: display $display", !silent, display.contains("Aborted"))
        }
    }

    @Test
    fun tokenSilentAbortIsAcceptedAndShowsNothing() = tokenAbort(silent = true, newConnection = false)

    @Test
    fun tokenNormalAbortShowsAborted() = tokenAbort(silent = false, newConnection = false)

    @Test
    fun tokenSilentAbortOnNewConnectionIsAcceptedAndShowsNothing() = tokenAbort(silent = true, newConnection = true)
}
