package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.api.TerminalService
import eu.ccvlab.mapi.core.MAPIError
import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.core.requests.ResultState
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType
import eu.ccvlab.mapi.testing.Fixtures
import eu.ccvlab.mapi.testing.SimulatedTerminal
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** paymentAwait and paymentEvents against the real simulator over loopback. */
class PaymentAwaitTest {
    private val payments = PaymentService()
    private val terminals = TerminalService()

    @get:Rule
    val stateDirectory = TemporaryFolder()

    @After
    fun forgetStateDirectory() = MapiConfig.setStateDirectory(null)

    private fun approved(type: TerminalType, mode: SocketMode, terminalId: String) = coTest {
        SimulatedTerminal.start(type, mode, "success").use { simulator ->
            val outcome = payments.paymentAwait(simulator.terminal(), Fixtures.sale())
            assertTrue("approved: $outcome", outcome is PaymentOutcome.Approved)
            val result = (outcome as PaymentOutcome.Approved).result
            assertEquals(Fixtures.twelveFifty(), result.amount())
            assertEquals(terminalId, result.terminalId())
            assertEquals(result.requestId(), outcome.requestId)
            assertEquals(1, simulator.receivedContaining("CardPayment").size)
        }
    }

    @Test
    fun paymentAwaitReturnsApprovedOpiNlDualSocket() = approved(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET, "29000001")

    @Test
    fun paymentAwaitReturnsApprovedOpiDeSingleSocket() =
        approved(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET, "68000001")

    @Test
    fun reservationAwaitSendsAPreAuthorisation() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val outcome = payments.reservationAwait(simulator.terminal(), Fixtures.sale())
            assertTrue("approved: $outcome", outcome is PaymentOutcome.Approved)
            assertEquals(1, simulator.receivedContaining("\"CardPreAuthorisation\"").size)
            assertEquals(0, simulator.receivedContaining("\"CardPayment\"").size)
        }
    }

    @Test
    fun declinedPaymentIsNotApprovedWithFailureNotAnException() = coTest {
        SimulatedTerminal.startNl("declined").use { simulator ->
            val outcome = payments.paymentAwait(simulator.terminal(), Fixtures.sale())
            assertTrue("not approved: $outcome", outcome is PaymentOutcome.NotApproved)
            outcome as PaymentOutcome.NotApproved
            assertEquals(ResultState.FAILURE, outcome.resultState)
            assertFalse(outcome.isAborted)
        }
    }

    @Test
    fun eventsArriveInProtocolOrderAndEndWithTheOutcome() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val events = payments.paymentEvents(simulator.terminal(), Fixtures.sale()).toList()
            assertEquals(
                listOf("CashierDisplay", "Receipt:MERCHANT", "Receipt:CUSTOMER", "EJournal", "Finished:Approved"),
                shape(events),
            )
            val display = events.filterIsInstance<TerminalEvent.CashierDisplay>().flatMap { it.texts }
            assertTrue("display: $display", display.contains("Present card"))
            val merchant = events.filterIsInstance<TerminalEvent.ReceiptReady>().first()
            assertTrue(merchant.receipt.toString(), merchant.receipt.toString().contains("12.50"))
            val journal = events.filterIsInstance<TerminalEvent.EJournal>().single()
            assertTrue(journal.journal, journal.journal.contains("12.50"))
        }
    }

    @Test
    fun theFlowIsColdAndEachCollectionIsOnePayment() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val flow = payments.paymentEvents(simulator.terminal(), Fixtures.sale())
            assertEquals("nothing sent before collecting", 0, simulator.receivedContaining("CardPayment").size)
            val first = flow.toList().last() as PaymentEvent.Finished
            val second = flow.toList().last() as PaymentEvent.Finished
            assertTrue(first.outcome is PaymentOutcome.Approved && second.outcome is PaymentOutcome.Approved)
            assertFalse("two payments, two RequestIDs", first.outcome.requestId == second.outcome.requestId)
            assertEquals(2, simulator.receivedContaining("CardPayment").size)
        }
    }

    @Test
    fun eventsAreEmittedInTheCollectorsContext() = coTest {
        val pos = Executors.newSingleThreadExecutor { Thread(it, "pos-ui") }
        try {
            SimulatedTerminal.startNl("success").use { simulator ->
                val threads = withContext(pos.asCoroutineDispatcher()) {
                    val seen = mutableListOf<String>()
                    payments.paymentEvents(simulator.terminal(), Fixtures.sale()).collect {
                        seen += Thread.currentThread().name
                    }
                    seen
                }
                assertTrue(threads.size >= 5)
                assertEquals(setOf("pos-ui"), threads.toSet())
            }
        } finally {
            pos.shutdown()
        }
    }

    @Test
    fun signatureQuestionAnsweredThroughTheFlowDecidesThePayment() = coTest {
        for (yes in listOf(true, false)) {
            SimulatedTerminal.startNl("signature").use { simulator ->
                val asked = mutableListOf<QuestionKind>()
                val outcome = payments.paymentAwait(simulator.terminal(), Fixtures.sale()) { event ->
                    if (event is PaymentEvent.Question) {
                        asked += event.kind
                        assertTrue(event.answer(yes))
                        assertFalse("a second answer is ignored", event.answer(!yes))
                    }
                }
                assertEquals(listOf(QuestionKind.CUSTOMER_SIGNATURE), asked)
                if (yes) {
                    assertTrue("yes approves: $outcome", outcome is PaymentOutcome.Approved)
                } else {
                    assertEquals(ResultState.FAILURE, (outcome as PaymentOutcome.NotApproved).resultState)
                }
            }
        }
    }

    @Test
    fun identificationQuestionCanBeAnsweredLaterFromAnotherCoroutine() = coTest {
        SimulatedTerminal.startNl("identification").use { simulator ->
            val outcome = async {
                payments.paymentEvents(simulator.terminal(), Fixtures.sale()).collect { event ->
                    if (event is PaymentEvent.Question) {
                        assertEquals(QuestionKind.CUSTOMER_IDENTIFICATION, event.kind)
                        // As a dialog would: the answer comes from elsewhere, after the collector moved on.
                        launch { assertTrue(event.answer(true)) }
                    }
                    if (event is PaymentEvent.Finished) assertTrue(event.outcome is PaymentOutcome.Approved)
                }
            }
            outcome.await()
            assertEquals(1, simulator.receivedContaining("CardPayment").size)
        }
    }

    @Test
    fun aSecondPaymentWhileOneRunsFailsWithFlowAlreadyHappening() = coTest {
        SimulatedTerminal.startNl("abort-window").use { simulator ->
            val terminal = simulator.terminal()
            val first = async { payments.paymentAwait(terminal, Fixtures.sale()) }
            simulator.reach("AwaitingCard")
            val second = payments.paymentAwait(terminal, Fixtures.sale())
            assertEquals(MAPIError.FLOW_ALREADY_HAPPENING, (second as PaymentOutcome.Failed).mapiError)
            simulator.release(eu.ccvlab.mapi.testing.SimulatedTerminal.CARD_PRESENTED)
            assertTrue(first.await() is PaymentOutcome.Approved)
        }
    }

    @Test
    fun lostConnectionNeedsRecoveryAndRecoverPaymentAwaitSettlesIt() = coTest {
        SimulatedTerminal.start(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET, "close-after-authorisation")
            .use { simulator ->
                MapiConfig.setStateDirectory(stateDirectory.root)
                val terminal = simulator.terminal()
                val lost = payments.paymentAwait(terminal, Fixtures.sale())
                assertTrue("needs recovery: $lost", lost is PaymentOutcome.NeedsRecovery)
                assertNotNull(lost.requestId)
                val recovered = terminals.recoverPaymentAwait(terminal, lost.requestId)
                assertTrue("recovered: $recovered", recovered is PaymentOutcome.Approved)
                recovered as PaymentOutcome.Approved
                assertTrue(recovered.result.recovered())
                assertEquals(lost.requestId, recovered.requestId)
                assertEquals(1, simulator.receivedContaining("RepeatLastMessage").size)
            }
    }

    @Test
    fun administrationHelpersReturnOutcomesWithTheirOutput() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val terminal = simulator.terminal()
            val early = terminals.retrieveLastTicketAwait(terminal)
            assertEquals(ResultState.FAILURE, (early as AdministrationOutcome.Failed).error.resultState())
            assertTrue(terminals.statusAwait(terminal) is AdministrationOutcome.Succeeded)
            assertTrue(terminals.loginAwait(terminal) is AdministrationOutcome.Succeeded)
            assertTrue(terminals.periodClosingAwait(terminal) is AdministrationOutcome.Succeeded)
            assertTrue(terminals.partialPeriodClosingAwait(terminal) is AdministrationOutcome.Succeeded)
            assertTrue(payments.paymentAwait(terminal, Fixtures.sale()) is PaymentOutcome.Approved)
            val reprint = terminals.retrieveLastTicketAwait(terminal) as AdministrationOutcome.Succeeded
            val copy = reprint.receipts(ReceiptKind.CUSTOMER).single().receipt.plainTextLines()
            assertTrue(copy.toString(), copy[0].contains("DUPLICATE"))
            for (wire in listOf("\"GetStatus\"", "\"Login\"", "\"ReconciliationWithClosure\"", "\"Reconciliation\"")) {
                assertEquals(wire, 1, simulator.receivedContaining(wire).size)
            }
        }
    }

    @Test
    fun terminalOperationsBeyondPaymentsReturnTheirData() = coTest {
        SimulatedTerminal.startNl("success").use { simulator ->
            val terminal = simulator.terminal()
            val circuits = terminals.cardCircuitsAwait(terminal) as AdministrationOutcome.Succeeded
            assertEquals(listOf("MAES", "ECMC", "VISA", "AMEX"), circuits.result.data())
            val config = terminals.getConfigAwait(terminal) as AdministrationOutcome.Succeeded
            val values = config.output.filterIsInstance<TerminalEvent.ConfigReceived>().single().config
            assertEquals("EUR", values.get("Currency"))
            val uid = terminals.readMifareUidAwait(terminal) as AdministrationOutcome.Succeeded
            assertEquals("04A224B2C35E80", uid.output.filterIsInstance<TerminalEvent.CardUidRead>().single().uid)
            assertTrue(terminals.activateTerminalAwait(terminal) is AdministrationOutcome.Succeeded)
            val overview = terminals.transactionOverviewAwait(terminal) as AdministrationOutcome.Succeeded
            assertEquals(1, overview.receipts(ReceiptKind.MERCHANT).size)
            assertTrue(terminals.ticketReprintPeriodClosingAwait(terminal) is AdministrationOutcome.Failed)
        }
    }

    @Test
    fun anEReceiptArrivesInThePaymentsEvents() = coTest {
        SimulatedTerminal.startNl("e-receipt").use { simulator ->
            val events = payments.paymentEvents(simulator.terminal(), Fixtures.sale()).toList()
            val receipt = events.filterIsInstance<TerminalEvent.EReceiptReady>().single()
            assertTrue(receipt.content, receipt.content.contains("CUSTOMER COPY"))
            assertTrue(events.last() is PaymentEvent.Finished)
        }
    }
}
