package eu.ccvlab.api_android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.PendingPayment;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;
import eu.ccvlab.mapi.robolectric.MapiRobolectricRunner;
import eu.ccvlab.mapi.testing.Fixtures;
import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;

/**
 * Payments, every abort form and recovery as an Android app drives them: {@code MAPI.initialize(context)}
 * first, requests from the main thread, every callback on it, the real native library and simulator behind.
 * The JUnit suite checks the same flows with a plain executor; here the point is that nothing changes when
 * delivery goes through Android's main Looper (no callback lost, duplicated or run elsewhere, answers in order).
 *
 * <p>Thread: JUnit calls every public method here on Robolectric's main-Looper thread (paused looper mode);
 * the SDK's callbacks arrive on that thread too, when the test lets the Looper run.
 */
@RunWith(MapiRobolectricRunner.class)
@Config(sdk = MapiRobolectricRunner.SDK)
public class PaymentsOnTheMainLooperTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    @After
    public void reset() {
        MapiConfig.setRecoveryDelegate(null);
        MapiConfig.setStateDirectory(null);
    }

    private static void initialize() {
        MAPI.initialize(RuntimeEnvironment.getApplication());
    }

    private static TerminalType typeFor(SocketMode mode) {
        return mode == SocketMode.DUAL_SOCKET ? TerminalType.OPI_NL : TerminalType.OPI_DE;
    }

    /** PaymentService.abort and abortOnNewConnection, in both socket layouts. */
    private void paymentAbort(SocketMode mode, boolean newConnection) {
        String scenario = mode + " newConnection=" + newConnection;
        try (SimulatedTerminal simulator = SimulatedTerminal.start(typeFor(mode), mode, "abort-window")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");
            if (newConnection) {
                payments.abortOnNewConnection(terminal, abort);
            } else {
                payments.abort(terminal, abort);
            }
            MainLooper.awaitFinals(abort, 1);
            MainLooper.awaitFinals(payment, 1);
            assertEquals(scenario, ResultState.SUCCESS, abort.awaitAdministrationSuccess().resultState());
            PaymentResult aborted = payment.awaitPaymentError();
            assertEquals(scenario, ResultState.ABORTED, aborted.resultState());
            assertFalse(scenario, aborted.recovered());
            assertEquals(scenario, 1, simulator.abortRequests().size());
            assertTrue(scenario + ": " + payment.displayLines(), payment.displayLines().contains("Aborted"));
            MainLooper.assertFinalCountOnMainThread(abort, 1);
            MainLooper.assertFinalCountOnMainThread(payment, 1);
        }
    }

    @Test
    public void paymentServiceAbortsEndThePaymentAbortedOnTheMainThread() {
        initialize();
        for (SocketMode mode : SocketMode.values()) {
            paymentAbort(mode, false);
            paymentAbort(mode, true);
        }
    }

    /** TokenService.abort(isSilent, …) and abortOnNewConnection(isSilent, …). */
    private void tokenAbort(SocketMode mode, boolean silent, boolean newConnection) {
        String scenario = mode + " silent=" + silent + " newConnection=" + newConnection;
        try (SimulatedTerminal simulator = SimulatedTerminal.start(typeFor(mode), mode, "abort-window")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");
            if (newConnection) {
                new TokenService().abortOnNewConnection(silent, terminal, abort);
            } else {
                new TokenService().abort(silent, terminal, abort);
            }
            MainLooper.awaitFinals(abort, 1);
            MainLooper.awaitFinals(payment, 1);
            assertEquals(scenario, ResultState.SUCCESS, abort.awaitAdministrationSuccess().resultState());
            assertEquals(scenario, ResultState.ABORTED, payment.awaitPaymentError().resultState());
            List<String> aborts = simulator.abortRequests();
            assertEquals(scenario, 1, aborts.size());
            assertEquals(scenario + ": " + aborts.get(0), silent, aborts.get(0).contains("SilentAbort"));
            assertEquals(scenario + ": " + abort.displayLines(), !silent, abort.displayLines().contains("Aborted"));
            assertEquals(scenario + ": " + payment.displayLines(), !silent,
                    payment.displayLines().contains("Aborted"));
            MainLooper.assertFinalCountOnMainThread(abort, 1);
            MainLooper.assertFinalCountOnMainThread(payment, 1);
        }
    }

    @Test
    public void tokenAbortsNormalAndSilentOnBothConnectionsOnTheMainThread() {
        initialize();
        for (SocketMode mode : SocketMode.values()) {
            for (boolean newConnection : new boolean[] {false, true}) {
                tokenAbort(mode, false, newConnection);
                tokenAbort(mode, true, newConnection);
            }
        }
    }

    @Test
    public void anAbortTooLateIsRefusedAndThePaymentStillSucceeds() {
        initialize();
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("too-late")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCompletion");
            payments.abort(terminal, abort);

            MainLooper.awaitFinals(abort, 1);
            Error refused = abort.awaitError();
            assertNull("the terminal refused, not the SDK: " + refused, refused.mapiError());
            assertTrue("nothing final for the payment yet", payment.finalCalls().isEmpty());

            simulator.release(SimulatedTerminal.COMPLETION);
            MainLooper.awaitFinals(payment, 1);
            PaymentResult approved = payment.awaitPaymentSuccess();
            assertEquals(Fixtures.twelveFifty(), approved.amount());
            MainLooper.assertFinalCountOnMainThread(abort, 1);
            MainLooper.assertFinalCountOnMainThread(payment, 1);
        }
    }

    /** A payment the terminal approved whose answer the app lost; returns its RequestID. */
    private String approvedButLost(ExternalTerminal terminal) {
        RecordingDelegate payment = new RecordingDelegate();
        payments.payment(terminal, Fixtures.sale(), payment);
        MainLooper.awaitFinals(payment, 1);
        Error lost = payment.awaitError(MAPIError.TERMINAL_CONNECTION_LOST);
        assertTrue(lost.recoveryNeeded());
        MainLooper.assertFinalCountOnMainThread(payment, 1);
        return lost.requestId();
    }

    /** @return the names of the in-flight journal entries in {@code <noBackupFilesDir>/mapi} */
    private static List<String> journal() {
        File state = new File(RuntimeEnvironment.getApplication().getNoBackupFilesDir(), "mapi");
        List<String> entries = new ArrayList<>();
        String[] names = state.list();
        for (String name : names == null ? new String[0] : names) {
            if (name.startsWith("inflight-") && name.endsWith(".json")) {
                entries.add(name);
            }
        }
        return entries;
    }

    @Test
    public void aLostPaymentIsRecoveredFromTheJournalInNoBackupFilesDir() {
        initialize();
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation-recovery-busy")) {
            ExternalTerminal terminal = simulator.terminal();
            String id = approvedButLost(terminal);
            assertEquals("the unsettled payment is journalled where Auto Backup does not reach", 1, journal().size());

            RecordingDelegate busy = new RecordingDelegate();
            terminals.recoverPayment(terminal, id, busy);
            MainLooper.awaitFinals(busy, 1);
            assertEquals(id, busy.awaitError(MAPIError.RECOVERY_PENDING).requestId());
            List<PendingPayment> pending = terminals.pendingPayments(terminal);
            assertEquals(1, pending.size());
            assertEquals(id, pending.get(0).requestId());

            RecordingDelegate refused = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), refused);
            MainLooper.awaitFinals(refused, 1);
            assertEquals(id, refused.awaitError(MAPIError.PAYMENT_PENDING_RECOVERY).requestId());

            RecordingDelegate recovery = new RecordingDelegate();
            terminals.recoverPayment(terminal, id, recovery);
            MainLooper.awaitFinals(recovery, 1);
            PaymentResult recovered = recovery.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(id, recovered.requestId());
            for (RecordingDelegate delegate : new RecordingDelegate[] {busy, refused, recovery}) {
                MainLooper.assertFinalCountOnMainThread(delegate, 1);
            }
            // A status request queues behind what the engine does after the outcome: clearing the journal.
            RecordingDelegate status = new RecordingDelegate();
            terminals.status(terminal, status);
            MainLooper.awaitFinals(status, 1);
            assertTrue(terminals.pendingPayments(terminal).isEmpty());
            assertEquals("settled: the journal entry is gone", new ArrayList<String>(), journal());
        }
    }

    @Test
    public void initializeWithARecoveryDelegateRecoversByItselfOnTheMainThread() {
        RecordingDelegate automatic = new RecordingDelegate();
        MAPI.initialize(RuntimeEnvironment.getApplication(), automatic);
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation")) {
            ExternalTerminal terminal = simulator.terminal();
            String id = approvedButLost(terminal);

            RecordingDelegate next = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), next);
            MainLooper.awaitFinals(automatic, 1);
            PaymentResult recovered = automatic.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(id, recovered.requestId());
            // The script closes after authorisation again: the next payment ran after the recovery, and is lost.
            MainLooper.awaitFinals(next, 1);
            String nextId = next.awaitError(MAPIError.TERMINAL_CONNECTION_LOST).requestId();
            assertFalse(id.equals(nextId));
            MainLooper.assertFinalCountOnMainThread(automatic, 1);
            MainLooper.assertFinalCountOnMainThread(next, 1);

            RecordingDelegate settle = new RecordingDelegate();
            terminals.recoverPayment(terminal, nextId, settle);
            MainLooper.awaitFinals(settle, 1);
            assertEquals(nextId, settle.awaitPaymentSuccess().requestId());
            MainLooper.assertFinalCountOnMainThread(settle, 1);
        }
    }
}
