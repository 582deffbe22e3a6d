package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.PendingPayment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * The money rule through the Java API: a recovery answer that is not about the payment settles nothing, the
 * payment stays pending (listed, blocking new payments) until the terminal tells or an operator resolves it.
 */
public class RecoveryTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    @Rule
    public final TemporaryFolder stateDirectory = new TemporaryFolder();

    @After
    public void reset() {
        MapiConfig.setRecoveryDelegate(null);
        MapiConfig.setStateDirectory(null);
    }

    /**
     * Returns once the terminal's engine task finished what it did after the last callback (the journal is
     * cleared right after an outcome's callback was handed over): a status request queues behind it.
     */
    private void settle(ExternalTerminal terminal) {
        RecordingDelegate status = new RecordingDelegate();
        terminals.status(terminal, status);
        status.awaitFinal();
    }

    /** A payment the terminal approved whose answer the app lost; returns its RequestID. */
    private String approvedButLost(ExternalTerminal terminal) {
        RecordingDelegate payment = new RecordingDelegate();
        payments.payment(terminal, Fixtures.sale(), payment);
        Error lost = payment.awaitError(MAPIError.TERMINAL_CONNECTION_LOST);
        assertTrue(lost.recoveryNeeded());
        assertNotNull(lost.requestId());
        return lost.requestId();
    }

    @Test
    public void aBusyAnswerLeavesThePaymentPendingAndBlocksTheNextUntilTheTerminalTells() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation-recovery-busy")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            ExternalTerminal terminal = simulator.terminal();
            String id = approvedButLost(terminal);

            RecordingDelegate busy = new RecordingDelegate();
            terminals.recoverPayment(terminal, id, busy);
            Error pending = busy.awaitError(MAPIError.RECOVERY_PENDING);
            assertEquals(id, pending.requestId());
            assertTrue(pending.detail(), pending.detail().contains("Busy"));
            busy.assertFinalCount(1);

            List<PendingPayment> listed = terminals.pendingPayments(terminal);
            assertEquals(1, listed.size());
            assertEquals(id, listed.get(0).requestId());
            assertEquals(PendingPayment.State.PENDING, listed.get(0).state());
            assertEquals(Fixtures.twelveFifty(), listed.get(0).amount());
            assertEquals(1, listed.get(0).attempts());

            RecordingDelegate refused = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), refused);
            assertEquals(id, refused.awaitError(MAPIError.PAYMENT_PENDING_RECOVERY).requestId());

            RecordingDelegate recovery = new RecordingDelegate();
            terminals.recoverPayment(terminal, id, recovery);
            PaymentResult recovered = recovery.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(id, recovered.requestId());
            settle(terminal);
            assertTrue(terminals.pendingPayments(terminal).isEmpty());
        }
    }

    @Test
    public void printLastTicketReprintsAndAnOperatorResolvesThePayment() throws Exception {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation-print-last-ticket")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            ExternalTerminal terminal = simulator.terminal();
            String id = approvedButLost(terminal);

            RecordingDelegate recovery = new RecordingDelegate();
            terminals.recoverPayment(terminal, id, recovery);
            Error pending = recovery.awaitError(MAPIError.RECOVERY_PENDING);
            assertTrue(pending.detail(), pending.detail().contains("PrintLastTicket"));
            assertFalse("the reprinted ticket reached the printer callback",
                    recovery.arguments("printCustomerReceiptAndSignature").isEmpty());
            assertEquals(1, simulator.receivedContaining("TicketReprint").size());

            PendingPayment listed = terminals.pendingPayments(terminal).get(0);
            assertEquals(PendingPayment.State.NEEDS_OPERATOR, listed.state());

            PendingPayment resolved = terminals.resolvePendingPayment(terminal, listed.key(), "ticket reads APPROVED");
            assertEquals(id, resolved.requestId());
            assertNull("resolved once", terminals.resolvePendingPayment(terminal, listed.key(), "again"));
            assertTrue(terminals.pendingPayments(terminal).isEmpty());
            String log = new String(Files.readAllBytes(new File(stateDirectory.getRoot(), "resolved-payments.jsonl")
                    .toPath()), StandardCharsets.UTF_8);
            assertTrue(log, log.contains("ticket reads APPROVED") && log.contains(id));
        }
    }

    @Test
    public void withAutomaticRecoveryTheNextPaymentWaitsForTheRecoveryThenRuns() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            RecordingDelegate automatic = new RecordingDelegate();
            MapiConfig.setRecoveryDelegate(automatic);
            ExternalTerminal terminal = simulator.terminal();
            String id = approvedButLost(terminal);

            RecordingDelegate next = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), next);
            PaymentResult recovered = automatic.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(id, recovered.requestId());
            // The terminal's script closes after authorisation again: the new payment ran, and is lost in turn.
            String nextId = next.awaitError(MAPIError.TERMINAL_CONNECTION_LOST).requestId();
            RecordingDelegate settle = new RecordingDelegate();
            terminals.recoverPayment(terminal, nextId, settle);
            assertEquals(nextId, settle.awaitPaymentSuccess().requestId());
            settle(terminal);
            assertTrue(terminals.pendingPayments(terminal).isEmpty());
            automatic.assertFinalCount(1);
        }
    }
}
