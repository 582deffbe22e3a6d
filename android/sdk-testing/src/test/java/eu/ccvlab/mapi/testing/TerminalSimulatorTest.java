package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;

/**
 * The testing artifact as an app developer uses it: the real SDK (PaymentService, TerminalService) against
 * {@link TerminalSimulator}, one test per certification case, asserting the documented ending and the wire.
 * Self-contained on purpose (no helper of the SDK's own suite), like a test in an app's project.
 */
public class TerminalSimulatorTest {
    private static final long WAIT_SECONDS = 20;

    @Rule
    public final TemporaryFolder stateDirectory = new TemporaryFolder();

    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();
    private File previousStateDirectory;

    @Before
    public void useATemporaryStateDirectory() {
        // Recovery (T1A, Q1G) reads the in-flight journal; keep it out of other tests' way.
        previousStateDirectory = MapiConfig.getStateDirectory();
        MapiConfig.setStateDirectory(stateDirectory.getRoot());
    }

    @After
    public void restoreTheStateDirectory() {
        MapiConfig.setStateDirectory(previousStateDirectory);
    }

    private static Money twelveFifty() {
        return new Money(new BigDecimal("12.50"), Currency.getInstance("EUR"));
    }

    private static Payment sale() {
        return Payment.builder().type(Payment.Type.SALE).amount(twelveFifty()).build();
    }

    /** Records the final callbacks of one flow and answers the signature question; waits without sleeping. */
    private static final class Outcome implements PaymentDelegate {
        private final BlockingQueue<Object> finals = new LinkedBlockingQueue<>();
        private final boolean signatureOk;
        final AtomicInteger signatureQuestions = new AtomicInteger();

        Outcome() {
            this(false);
        }

        Outcome(boolean signatureOk) {
            this.signatureOk = signatureOk;
        }

        @Override
        public void askCustomerSignature(Callback callback) {
            signatureQuestions.incrementAndGet();
            if (signatureOk) {
                callback.onSuccess();
            } else {
                callback.onFailure();
            }
        }

        @Override
        public void onPaymentSuccess(PaymentResult result) {
            finals.add(new Object[] {"onPaymentSuccess", result});
        }

        @Override
        public void onPaymentError(PaymentResult result) {
            finals.add(new Object[] {"onPaymentError", result});
        }

        @Override
        public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
            finals.add(new Object[] {"onPaymentAdministrationSuccess", result});
        }

        @Override
        public void onError(Error error) {
            finals.add(new Object[] {"onError", error});
        }

        /** Waits for the flow's one final callback and checks which it was. */
        <T> T await(String method, Class<T> type) {
            Object[] call;
            try {
                call = (Object[]) finals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + method);
            }
            if (call == null) {
                throw new AssertionError("no final callback within " + WAIT_SECONDS + " s, expected " + method);
            }
            assertEquals("final callback (" + call[1] + ")", method, call[0]);
            return type.cast(call[1]);
        }

        /** Exactly-once: nothing after the final callback that was awaited. */
        void assertNoMoreFinals() {
            assertTrue("a second final callback: " + finals, finals.isEmpty());
        }
    }

    @Test
    public void f1aAnAbortWhileTheTerminalWaitsForTheCardIsAcceptedAndThePaymentEndsAborted() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_ACCEPTED)) {
            ExternalTerminal terminal = simulator.terminal();
            Outcome payment = new Outcome();
            Outcome abort = new Outcome();
            payments.payment(terminal, sale(), payment);
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
            payments.abort(terminal, abort);

            PaymentAdministrationResult<?> accepted = abort.await("onPaymentAdministrationSuccess",
                    PaymentAdministrationResult.class);
            assertEquals(ResultState.SUCCESS, accepted.resultState());
            assertEquals(ResultState.ABORTED, payment.await("onPaymentError", PaymentResult.class).resultState());

            List<ReceivedFrame> aborts = simulator.abortRequests();
            assertEquals("one AbortRequest on the wire: " + simulator.receivedFrames(), 1, aborts.size());
            ReceivedFrame cardPayment = simulator.receivedFrames("CardPayment").get(0);
            assertEquals(0, aborts.get(0).channel());
            assertEquals("CardServiceRequest", cardPayment.rootElement());
            assertNotEquals("the abort has its own RequestID", cardPayment.requestId(), aborts.get(0).requestId());
            assertTrue(aborts.get(0).xml().contains("AbortRequest"));
            payment.assertNoMoreFinals();
            abort.assertNoMoreFinals();
        }
    }

    @Test
    public void f1bAnAbortAfterAuthorisationIsRefusedAndThePaymentSucceedsOpiDeSingleSocket() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_TOO_LATE, TerminalType.OPI_DE,
                SocketMode.SINGLE_SOCKET)) {
            ExternalTerminal terminal = simulator.terminal();
            Outcome payment = new Outcome();
            Outcome abort = new Outcome();
            payments.payment(terminal, sale(), payment);
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_COMPLETION);
            payments.abort(terminal, abort);

            Error refused = abort.await("onError", Error.class);
            assertNull("the terminal refused, not the SDK: " + refused, refused.mapiError());
            assertEquals(ResultState.FAILURE, refused.resultState());

            simulator.releaseCompletion();
            PaymentResult approved = payment.await("onPaymentSuccess", PaymentResult.class);
            assertEquals(ResultState.SUCCESS, approved.resultState());
            assertEquals(twelveFifty(), approved.amount());
            assertEquals(1, simulator.abortRequests().size());
            for (ReceivedFrame frame : simulator.receivedFrames()) {
                assertEquals("single socket: everything on channel 0, " + frame, 0, frame.channel());
            }
            payment.assertNoMoreFinals();
            abort.assertNoMoreFinals();
        }
    }

    @Test
    public void q1gASilentTerminalEndsInResponseTimeoutThatNeedsRecoveryAndRepeatLastMessageSettlesIt() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.TERMINAL_SILENT)) {
            ExternalTerminal terminal = simulator.terminal(simulator.terminalBuilder().responseTimeoutMillis(500));
            Outcome payment = new Outcome();
            payments.payment(terminal, sale(), payment);

            Error timeout = payment.await("onError", Error.class);
            assertEquals(MAPIError.RESPONSE_TIMEOUT, timeout.mapiError());
            assertTrue(timeout.toString(), timeout.recoveryNeeded());
            assertEquals("the payment reached the terminal", 1, simulator.receivedFrames("CardPayment").size());

            Outcome recovery = new Outcome();
            terminals.repeatLastMessage(terminal, recovery);
            PaymentResult recovered = recovery.await("onPaymentSuccess", PaymentResult.class);
            assertTrue(recovered.recovered());
            assertEquals(timeout.requestId(), recovered.requestId());
            assertEquals(1, simulator.receivedFrames("RepeatLastMessage").size());
            payment.assertNoMoreFinals();
        }
    }

    @Test
    public void t1aAConnectionDropAfterAuthorisationIsTerminalConnectionLostAndRecoverPaymentSucceeds() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.CONNECTION_DROP)) {
            ExternalTerminal terminal = simulator.terminal();
            Outcome payment = new Outcome();
            payments.payment(terminal, sale(), payment);

            Error lost = payment.await("onError", Error.class);
            assertEquals(MAPIError.TERMINAL_CONNECTION_LOST, lost.mapiError());
            assertTrue(lost.toString(), lost.recoveryNeeded());
            assertNotNull(lost.requestId());

            Outcome recovery = new Outcome();
            terminals.recoverPayment(terminal, lost.requestId(), recovery);
            PaymentResult recovered = recovery.await("onPaymentSuccess", PaymentResult.class);
            assertTrue(recovered.recovered());
            assertEquals(lost.requestId(), recovered.requestId());
            assertEquals(twelveFifty(), recovered.amount());
            List<ReceivedFrame> repeats = simulator.receivedFrames("RepeatLastMessage");
            assertEquals(1, repeats.size());
            assertNotEquals("recovery opens a new connection", simulator.receivedFrames("CardPayment").get(0)
                    .connection(), repeats.get(0).connection());
            payment.assertNoMoreFinals();
            recovery.assertNoMoreFinals();
        }
    }

    @Test
    public void u1bTheSignatureQuestionArrivesAndAnsweringNoDeclinesYesApproves() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SIGNATURE_REQUEST)) {
            ExternalTerminal terminal = simulator.terminal();
            Outcome no = new Outcome(false);
            payments.payment(terminal, sale(), no);
            assertEquals(ResultState.FAILURE, no.await("onPaymentError", PaymentResult.class).resultState());
            assertEquals(1, no.signatureQuestions.get());

            // Dual socket: the answer went back as a DeviceResponse on channel 1.
            boolean answeredOnChannel1 = false;
            for (ReceivedFrame frame : simulator.receivedFrames()) {
                answeredOnChannel1 |= frame.channel() == 1 && frame.rootElement().equals("DeviceResponse");
            }
            assertTrue("DeviceResponses on channel 1: " + simulator.receivedFrames(), answeredOnChannel1);

            Outcome yes = new Outcome(true);
            payments.payment(terminal, sale(), yes);
            assertEquals(ResultState.SUCCESS, yes.await("onPaymentSuccess", PaymentResult.class).resultState());
            assertEquals(1, yes.signatureQuestions.get());
            no.assertNoMoreFinals();
            yes.assertNoMoreFinals();
        }
    }

    @Test
    public void holdLetsTheTestDriveEachStepAndSetScenarioChangesTheNextPayment() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.HOLD, TerminalType.OPI_DE,
                SocketMode.DUAL_SOCKET)) {
            ExternalTerminal terminal = simulator.terminal();
            Outcome held = new Outcome();
            payments.payment(terminal, sale(), held);
            simulator.awaitStep(TerminalSimulator.Step.REQUEST_RECEIVED);
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
            simulator.releaseCard();
            simulator.awaitStep(TerminalSimulator.Step.AUTHORISED);
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_COMPLETION);
            simulator.releaseCompletion();
            simulator.awaitStep(TerminalSimulator.Step.RESPONDING);
            assertEquals(ResultState.SUCCESS, held.await("onPaymentSuccess", PaymentResult.class).resultState());

            simulator.clearReceived();
            assertTrue(simulator.receivedFrames().isEmpty());
            simulator.setScenario(Scenario.DECLINED);
            Outcome declined = new Outcome();
            payments.payment(terminal, sale(), declined);
            assertEquals(ResultState.FAILURE, declined.await("onPaymentError", PaymentResult.class).resultState());
            assertEquals("only the second payment since clearReceived", 1,
                    simulator.receivedFrames("CardPayment").size());
            assertTrue("no abort was sent", simulator.abortRequests().isEmpty());
        }
    }

    @Test
    public void everyScenarioNamesAPresetOfTheSimulator() {
        List<String> failures = new ArrayList<>();
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SUCCESS)) {
            for (Scenario scenario : Scenario.values()) {
                try {
                    simulator.setScenario(scenario);
                } catch (IllegalArgumentException unknown) {
                    failures.add(scenario + ": " + unknown.getMessage());
                }
            }
        }
        for (Scenario scenario : new Scenario[] {Scenario.BUSY, Scenario.CONNECTION_DROP}) {
            try (TerminalSimulator simulator = TerminalSimulator.start(scenario, TerminalType.OPI_DE,
                    SocketMode.SINGLE_SOCKET)) {
                assertTrue(simulator.port() > 0);
            }
        }
        assertTrue("scenarios without a simulator preset: " + failures, failures.isEmpty());
    }

    @Test
    public void aStepThatNeverComesTimesOutAndAClosedSimulatorRefusesUse() {
        TerminalSimulator simulator = TerminalSimulator.start(Scenario.SUCCESS);
        assertFalse("no payment, so no step", simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD, 50,
                TimeUnit.MILLISECONDS));
        simulator.close();
        simulator.close();
        try {
            simulator.port();
            fail("a closed simulator has no port");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("stopped"));
        }
        try {
            simulator.terminal();
            fail("a closed simulator cannot be attached");
        } catch (IllegalStateException expected) {
            // the message names the closed simulator
        }
    }
}
