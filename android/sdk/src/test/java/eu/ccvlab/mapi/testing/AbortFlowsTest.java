package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;

/** The abort family (certification F1A, F1B, F1D and the unattended aborts), Java API ↔ real simulator. */
public class AbortFlowsTest {
    private final PaymentService payments = new PaymentService();

    private static void f1a(TerminalType type, SocketMode mode) {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(type, mode, "abort-window")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            new PaymentService().payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");
            new PaymentService().abort(terminal, abort);

            PaymentAdministrationResult<?> accepted = abort.awaitAdministrationSuccess();
            assertEquals(ResultState.SUCCESS, accepted.resultState());
            assertNotNull(accepted.requestId());
            PaymentResult aborted = payment.awaitPaymentError();
            assertEquals(ResultState.ABORTED, aborted.resultState());
            assertFalse(aborted.recovered());
            assertEquals(1, simulator.abortRequests().size());
            assertTrue("normal abort shows Aborted: " + payment.displayLines(),
                    payment.displayLines().contains("Aborted"));
            payment.assertFinalCount(1);
            abort.assertFinalCount(1);
        }
    }

    @Test
    public void f1aAbortWhileWaitingForTheCardIsAcceptedAndThePaymentEndsAbortedOpiNlDualSocket() {
        f1a(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET);
    }

    @Test
    public void f1aAbortWhileWaitingForTheCardIsAcceptedAndThePaymentEndsAbortedOpiDeSingleSocket() {
        f1a(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET);
    }

    private static void f1b(TerminalType type, SocketMode mode) {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(type, mode, "too-late")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            new PaymentService().payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCompletion");
            new PaymentService().abort(terminal, abort);

            Error refused = abort.awaitError();
            assertNull("the terminal refused, not the SDK: " + refused, refused.mapiError());
            assertEquals(ResultState.FAILURE, refused.resultState());
            assertTrue("nothing final for the payment yet", payment.finalCalls().isEmpty());

            simulator.release(SimulatedTerminal.COMPLETION);
            PaymentResult approved = payment.awaitPaymentSuccess();
            assertEquals(ResultState.SUCCESS, approved.resultState());
            assertEquals(Fixtures.twelveFifty(), approved.amount());
            assertEquals(1, simulator.abortRequests().size());
            payment.assertFinalCount(1);
            abort.assertFinalCount(1);
        }
    }

    @Test
    public void f1bAbortAfterAuthorisationIsRefusedAndThePaymentSucceedsOpiNlDualSocket() {
        f1b(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET);
    }

    @Test
    public void f1bAbortAfterAuthorisationIsRefusedAndThePaymentSucceedsOpiDeSingleSocket() {
        f1b(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET);
    }

    @Test
    public void f1dAThousandAbortsFromEightThreadsSendOneAbortRequestAndGetOneAnswerEach() throws Exception {
        final int threads = 8;
        final int perThread = 125;
        final int total = threads * perThread;
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("abort-window")) {
            final ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");

            final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
            final List<AtomicInteger> finalsPerCall = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                finalsPerCall.add(new AtomicInteger());
            }
            final CountDownLatch go = new CountDownLatch(1);
            final CountDownLatch sent = new CountDownLatch(threads);
            final BlockingQueue<Throwable> thrown = new LinkedBlockingQueue<>();
            for (int t = 0; t < threads; t++) {
                final int first = t * perThread;
                Thread hammer = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = first; i < first + perThread; i++) {
                            final AtomicInteger finals = finalsPerCall.get(i);
                            payments.abort(terminal, new TerminalDelegate() {
                                @Override
                                public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
                                    finals.incrementAndGet();
                                    outcomes.add(result);
                                }

                                @Override
                                public void onError(Error error) {
                                    finals.incrementAndGet();
                                    outcomes.add(error);
                                }
                            });
                        }
                    } catch (Throwable failure) {
                        thrown.add(failure);
                    } finally {
                        sent.countDown();
                    }
                }, "merchant-" + t);
                hammer.start();
            }
            go.countDown();
            assertTrue(sent.await(SimulatedTerminal.WAIT_MILLIS, TimeUnit.MILLISECONDS));
            assertTrue("abort threw: " + thrown, thrown.isEmpty());

            int successes = 0;
            int refusedLocally = 0;
            for (int i = 0; i < total; i++) {
                Object outcome = outcomes.poll(SimulatedTerminal.WAIT_MILLIS, TimeUnit.MILLISECONDS);
                assertNotNull("only " + i + " of " + total + " aborts got their final callback", outcome);
                if (outcome instanceof PaymentAdministrationResult) {
                    successes++;
                } else {
                    MAPIError error = ((Error) outcome).mapiError();
                    assertTrue("unexpected abort outcome " + outcome, error == MAPIError.NOT_A_FLOW_HAPPENING
                            || error == MAPIError.SECONDARY_FLOW_ALREADY_HAPPENING);
                    refusedLocally++;
                }
            }
            assertEquals(ResultState.ABORTED, payment.awaitPaymentError().resultState());
            RecordingDelegate.drainCallbackExecutor();
            assertEquals(1, successes);
            assertEquals(total - 1, refusedLocally);
            assertTrue("no final callback beyond one per call: " + outcomes, outcomes.isEmpty());
            for (int i = 0; i < total; i++) {
                assertEquals("final callbacks of abort call " + i, 1, finalsPerCall.get(i).get());
            }
            assertEquals("exactly one AbortRequest reached the terminal", 1, simulator.abortRequests().size());
            payment.assertFinalCount(1);
        }
    }

    @Test
    public void abortOnNewConnectionIsAcceptedAndThePaymentEndsAborted() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("abort-window")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");
            payments.abortOnNewConnection(terminal, abort);
            assertEquals(ResultState.SUCCESS, abort.awaitAdministrationSuccess().resultState());
            assertEquals(ResultState.ABORTED, payment.awaitPaymentError().resultState());
            assertEquals(1, simulator.abortRequests().size());
            abort.assertFinalCount(1);
            payment.assertFinalCount(1);
        }
    }

    private void tokenAbort(SocketMode mode, boolean silent, boolean newConnection) {
        TerminalType type = mode == SocketMode.DUAL_SOCKET ? TerminalType.OPI_NL : TerminalType.OPI_DE;
        String scenario = type + "/" + mode + " silent=" + silent + " newConnection=" + newConnection;
        try (SimulatedTerminal simulator = SimulatedTerminal.start(type, mode, "abort-window")) {
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
            assertEquals(scenario, ResultState.SUCCESS, abort.awaitAdministrationSuccess().resultState());
            assertEquals(scenario, ResultState.ABORTED, payment.awaitPaymentError().resultState());
            RecordingDelegate.drainCallbackExecutor();

            List<String> aborts = simulator.abortRequests();
            assertEquals(scenario, 1, aborts.size());
            assertEquals(scenario + ": SilentAbort on the wire: " + aborts.get(0), silent,
                    aborts.get(0).contains("SilentAbort"));
            assertEquals(scenario + ": abort delegate saw " + abort.displayLines(), !silent,
                    abort.displayLines().contains("Aborted"));
            assertEquals(scenario + ": payment delegate saw " + payment.displayLines(), !silent,
                    payment.displayLines().contains("Aborted"));
            abort.assertFinalCount(1);
            payment.assertFinalCount(1);
        }
    }

    @Test
    public void tokenNormalAbortShowsAbortedAndSilentAbortShowsNothing() {
        for (SocketMode mode : SocketMode.values()) {
            for (boolean newConnection : new boolean[] {false, true}) {
                tokenAbort(mode, false, newConnection);
                tokenAbort(mode, true, newConnection);
            }
        }
    }

    @Test
    public void abortWithNothingRunningIsNotAFlowHappeningAndSendsNothing() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.builder().build();
            RecordingDelegate abort = new RecordingDelegate();
            RecordingDelegate newConnection = new RecordingDelegate();
            RecordingDelegate token = new RecordingDelegate();
            RecordingDelegate silentToken = new RecordingDelegate();
            payments.abort(terminal, abort);
            payments.abortOnNewConnection(terminal, newConnection);
            new TokenService().abort(false, terminal, token);
            new TokenService().abortOnNewConnection(true, terminal, silentToken);
            for (RecordingDelegate delegate : new RecordingDelegate[] {abort, newConnection, token, silentToken}) {
                Error error = delegate.awaitError(MAPIError.NOT_A_FLOW_HAPPENING);
                assertFalse(error.recoveryNeeded());
                delegate.assertFinalCount(1);
            }
            assertEquals("nothing reached the terminal", new ArrayList<String>(), simulator.receivedXml());
        }
    }

    @Test
    public void aSecondAbortWhileTheFirstWaitsIsSecondaryFlowAlreadyHappening() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("ignore-aborts")) {
            ExternalTerminal terminal = simulator.connect(simulator.builder().abortTimeoutMillis(1_000));
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate first = new RecordingDelegate();
            RecordingDelegate second = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            simulator.awaitStep("AwaitingCard");
            payments.abort(terminal, first);
            payments.abortOnNewConnection(terminal, second);

            assertFalse(second.awaitError(MAPIError.SECONDARY_FLOW_ALREADY_HAPPENING).recoveryNeeded());
            first.awaitError(MAPIError.RESPONSE_TIMEOUT);
            assertTrue("the payment still runs", payment.finalCalls().isEmpty());
            simulator.release(SimulatedTerminal.CARD_PRESENTED);
            payment.awaitPaymentSuccess();
            assertEquals(1, simulator.abortRequests().size());
            first.assertFinalCount(1);
            second.assertFinalCount(1);
            payment.assertFinalCount(1);
        }
    }
}
