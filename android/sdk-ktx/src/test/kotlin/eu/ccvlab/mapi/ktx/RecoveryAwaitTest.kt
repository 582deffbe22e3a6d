package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.api.TerminalService
import eu.ccvlab.mapi.core.MAPIError
import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.core.payment.PendingPayment
import eu.ccvlab.mapi.testing.Fixtures
import eu.ccvlab.mapi.testing.SimulatedTerminal
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** Pending payments and their resolution from coroutines, against the real simulator. */
class RecoveryAwaitTest {
    private val payments = PaymentService()
    private val terminals = TerminalService()

    @get:Rule
    val stateDirectory = TemporaryFolder()

    @After
    fun forgetStateDirectory() = MapiConfig.setStateDirectory(null)

    @Test
    fun aLostPaymentIsListedUntilResolvedAndBlocksTheNextOne() = coTest {
        SimulatedTerminal.startNl("close-after-authorisation").use { simulator ->
            MapiConfig.setStateDirectory(stateDirectory.root)
            val terminal = simulator.terminal()
            val lost = payments.paymentAwait(terminal, Fixtures.sale())
            assertTrue("$lost", lost is PaymentOutcome.NeedsRecovery)
            val id = (lost as PaymentOutcome.NeedsRecovery).error.requestId()

            val pending = terminals.awaitPendingPayments(terminal)
            assertEquals(listOf(id), pending.map { it.requestId() })
            assertEquals(PendingPayment.State.PENDING, pending[0].state())

            val refused = payments.paymentAwait(terminal, Fixtures.sale())
            assertTrue("$refused", refused is PaymentOutcome.Failed || refused is PaymentOutcome.NeedsRecovery)
            val error = when (refused) {
                is PaymentOutcome.Failed -> refused.error
                is PaymentOutcome.NeedsRecovery -> refused.error
                else -> throw AssertionError("$refused")
            }
            assertEquals(MAPIError.PAYMENT_PENDING_RECOVERY, error.mapiError())
            assertEquals(id, error.requestId())

            val resolved = terminals.resolvePendingPayment(terminal, pending[0].key(), "checked on the terminal")
            assertEquals(id, resolved?.requestId())
            assertTrue(terminals.awaitPendingPayments(terminal).isEmpty())
        }
    }
}
