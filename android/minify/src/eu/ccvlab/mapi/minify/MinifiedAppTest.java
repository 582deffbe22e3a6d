package eu.ccvlab.mapi.minify;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Currency;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.WireTrace;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.PendingPayment;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.testing.ReceivedFrame;
import eu.ccvlab.mapi.testing.Scenario;
import eu.ccvlab.mapi.testing.TerminalSimulator;

/**
 * An app's flows, run after this class, its delegate, the SDK and the testing artifact were shrunk, optimized and
 * obfuscated together under the AAR's consumer rules (android/minify-test.sh). Between them the flows cross every
 * name native code binds to: each native method of the SDK, the fields of NativeTerminal, each method of
 * NativeCallbacks (onOutput, onAsk, onPaymentResult, onAdministrationSuccess, onData, onError), and the
 * reflective onError(MAPIError) check on the app's delegate.
 */
public class MinifiedAppTest {
    private final PaymentService payments = new PaymentService();
    private final TokenService tokens = new TokenService();
    private final TerminalService terminals = new TerminalService();
    private Path stateDirectory;

    @Before
    public void useAFreshStateDirectory() throws IOException {
        // Recovery reads the in-flight journal: each test starts without another test's payments. The directories
        // stay until the script's next run, since the engine may still write after a test returned.
        Path base = Paths.get(System.getProperty("minify.stateDirectories", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        stateDirectory = Files.createTempDirectory(base, "state");
        MapiConfig.setStateDirectory(stateDirectory.toFile());
    }

    @After
    public void forgetTheStateDirectory() {
        MapiConfig.setRecoveryDelegate(null);
        MapiConfig.setStateDirectory(null);
    }

    private static Money twelveFifty() {
        return new Money(new BigDecimal("12.50"), Currency.getInstance("EUR"));
    }

    private static Payment sale() {
        return Payment.builder().type(Payment.Type.SALE).amount(twelveFifty()).build();
    }

    @Test
    public void aPaymentIsApprovedWithDisplayLinesReceiptsAndAWireTrace() throws IOException {
        File trace = stateDirectory.resolve("trace.jsonl").toFile();
        File exported = stateDirectory.resolve("for-support.jsonl").toFile();
        WireTrace.enable(trace);
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SUCCESS)) {
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate payment = new CheckoutDelegate();
            payments.payment(terminal, sale(), payment);

            PaymentResult approved = payment.await("onPaymentSuccess", PaymentResult.class);
            assertEquals(ResultState.SUCCESS, approved.resultState());
            assertEquals(twelveFifty(), approved.amount());
            assertFalse("display lines (onOutput)", payment.displayLines.isEmpty());
            assertFalse("receipts (onOutput)", payment.receipts.isEmpty());
            payment.assertNoMoreFinals();
        } finally {
            WireTrace.disable();
        }
        assertTrue("bytes exported", WireTrace.export(exported) > 0);
        String lines = new String(Files.readAllBytes(exported.toPath()), StandardCharsets.UTF_8);
        assertTrue("the trace holds the payment request", lines.contains("CardPayment"));
    }

    @Test
    public void paymentServiceAbortEndsThePaymentAborted() {
        abortWhileTheTerminalWaitsForTheCard(false);
    }

    @Test
    public void paymentServiceAbortOnNewConnectionEndsThePaymentAborted() {
        abortWhileTheTerminalWaitsForTheCard(true);
    }

    private void abortWhileTheTerminalWaitsForTheCard(boolean newConnection) {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_ACCEPTED)) {
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate payment = new CheckoutDelegate();
            CheckoutDelegate abort = new CheckoutDelegate();
            payments.payment(terminal, sale(), payment);
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
            if (newConnection) {
                payments.abortOnNewConnection(terminal, abort);
            } else {
                payments.abort(terminal, abort);
            }

            PaymentAdministrationResult<?> accepted = abort.await("onPaymentAdministrationSuccess",
                    PaymentAdministrationResult.class);
            assertEquals(ResultState.SUCCESS, accepted.resultState());
            assertEquals(ResultState.ABORTED, payment.await("onPaymentError", PaymentResult.class).resultState());
            List<ReceivedFrame> aborts = simulator.abortRequests();
            assertEquals("one AbortRequest: " + simulator.receivedFrames(), 1, aborts.size());
            long paymentConnection = simulator.receivedFrames("CardPayment").get(0).connection();
            assertEquals("abort on a new connection: " + newConnection, newConnection,
                    aborts.get(0).connection() != paymentConnection);
            payment.assertNoMoreFinals();
            abort.assertNoMoreFinals();
        }
    }

    @Test
    public void tokenAbortsNormalAndSilentOnTheSameAndANewConnectionEndThePaymentAborted() {
        for (boolean silent : new boolean[] {false, true}) {
            for (boolean newConnection : new boolean[] {false, true}) {
                String form = "silent=" + silent + " newConnection=" + newConnection;
                try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_ACCEPTED)) {
                    ExternalTerminal terminal = simulator.terminal();
                    CheckoutDelegate payment = new CheckoutDelegate();
                    CheckoutDelegate abort = new CheckoutDelegate();
                    payments.payment(terminal, sale(), payment);
                    simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
                    if (newConnection) {
                        tokens.abortOnNewConnection(silent, terminal, abort);
                    } else {
                        tokens.abort(silent, terminal, abort);
                    }

                    assertEquals(form, ResultState.SUCCESS, abort.await("onPaymentAdministrationSuccess",
                            PaymentAdministrationResult.class).resultState());
                    assertEquals(form, ResultState.ABORTED,
                            payment.await("onPaymentError", PaymentResult.class).resultState());
                    List<ReceivedFrame> aborts = simulator.abortRequests();
                    assertEquals(form, 1, aborts.size());
                    assertEquals(form + ": " + aborts.get(0).xml(), silent,
                            aborts.get(0).xml().contains("SilentAbort"));
                    assertEquals(form + ": the abort delegate saw " + abort.displayLines, !silent,
                            abort.displayLines.contains("Aborted"));
                    payment.assertNoMoreFinals();
                    abort.assertNoMoreFinals();
                }
            }
        }
    }

    @Test
    public void aLostPaymentIsListedPendingAndRecoverPaymentSettlesIt() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.CONNECTION_DROP)) {
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate payment = new CheckoutDelegate();
            payments.payment(terminal, sale(), payment);
            Error lost = payment.await("onError(Error)", Error.class);
            assertEquals(MAPIError.TERMINAL_CONNECTION_LOST, lost.mapiError());
            assertTrue(lost.toString(), lost.recoveryNeeded());

            List<PendingPayment> pending = terminals.pendingPayments(terminal);
            assertEquals("pending: " + pending, 1, pending.size());
            assertEquals(lost.requestId(), pending.get(0).requestId());
            // Parsed from the name native code sends (PendingPayment.State.valueOf): unsettled, either way.
            PendingPayment.State state = pending.get(0).state();
            assertTrue("state " + state, state == PendingPayment.State.IN_FLIGHT
                    || state == PendingPayment.State.PENDING);
            assertEquals(twelveFifty(), pending.get(0).amount());

            CheckoutDelegate recovery = new CheckoutDelegate();
            terminals.recoverPayment(terminal, lost.requestId(), recovery);
            PaymentResult recovered = recovery.await("onPaymentSuccess", PaymentResult.class);
            assertTrue(recovered.recovered());
            assertEquals(lost.requestId(), recovered.requestId());
            assertEquals(1, simulator.receivedFrames("RepeatLastMessage").size());
            settle(terminal);
            assertTrue("settled: " + terminals.pendingPayments(terminal), terminals.pendingPayments(terminal)
                    .isEmpty());
            payment.assertNoMoreFinals();
            recovery.assertNoMoreFinals();
        }
    }

    @Test
    public void automaticRecoveryHandsTheLostPaymentToTheRecoveryDelegateBeforeTheNextRuns() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.CONNECTION_DROP)) {
            CheckoutDelegate automatic = new CheckoutDelegate();
            MapiConfig.setRecoveryDelegate(automatic);
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate first = new CheckoutDelegate();
            payments.payment(terminal, sale(), first);
            String lostId = first.await("onError(Error)", Error.class).requestId();
            assertNotNull(lostId);

            CheckoutDelegate next = new CheckoutDelegate();
            payments.payment(terminal, sale(), next);
            PaymentResult recovered = automatic.await("onPaymentSuccess", PaymentResult.class);
            assertTrue(recovered.recovered());
            assertEquals(lostId, recovered.requestId());
            // The scenario drops every payment after authorisation: the next one ran, and is lost in turn.
            Error nextLost = next.await("onError(Error)", Error.class);
            assertEquals(MAPIError.TERMINAL_CONNECTION_LOST, nextLost.mapiError());
            assertNotEquals(lostId, nextLost.requestId());
            CheckoutDelegate settle = new CheckoutDelegate();
            terminals.recoverPayment(terminal, nextLost.requestId(), settle);
            assertEquals(nextLost.requestId(), settle.await("onPaymentSuccess", PaymentResult.class).requestId());
            automatic.assertNoMoreFinals();
        }
    }

    /** Returns once the engine finished the work after the last callback: a status queues behind it. */
    private void settle(ExternalTerminal terminal) {
        CheckoutDelegate status = new CheckoutDelegate();
        terminals.status(terminal, status);
        status.await("onPaymentAdministrationSuccess", PaymentAdministrationResult.class);
    }

    @Test
    public void statusAndGetConfigReachTheTerminalAndGetConfigDeliversItsData() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SUCCESS)) {
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate status = new CheckoutDelegate();
            terminals.status(terminal, status);
            assertEquals(ResultState.SUCCESS, status.await("onPaymentAdministrationSuccess",
                    PaymentAdministrationResult.class).resultState());

            CheckoutDelegate config = new CheckoutDelegate();
            terminals.getConfig(terminal, config);
            config.await("onPaymentAdministrationSuccess", PaymentAdministrationResult.class);
            assertEquals("configData (onData)", 1, config.configData.size());
            assertFalse("config values", config.configData.get(0).values().isEmpty());
            status.assertNoMoreFinals();
            config.assertNoMoreFinals();
        }
    }

    @Test
    public void theSignatureQuestionIsAskedThroughTheDelegateAndItsAnswerDecides() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SIGNATURE_REQUEST)) {
            ExternalTerminal terminal = simulator.terminal();
            CheckoutDelegate refused = new CheckoutDelegate(false);
            payments.payment(terminal, sale(), refused);
            assertEquals(ResultState.FAILURE, refused.await("onPaymentError", PaymentResult.class).resultState());
            assertEquals("onAsk", 1, refused.signatureQuestions.get());

            CheckoutDelegate approved = new CheckoutDelegate(true);
            payments.payment(terminal, sale(), approved);
            assertEquals(ResultState.SUCCESS, approved.await("onPaymentSuccess", PaymentResult.class)
                    .resultState());
            assertEquals("onAsk", 1, approved.signatureQuestions.get());
        }
    }

    /** An app delegate that takes the SDK's own failures in onError(MAPIError), found by reflection. */
    static final class MapiErrorDelegate extends CheckoutDelegate {
        @Override
        public void onError(MAPIError error) {
            recordFinal("onError(MAPIError)", error);
        }
    }

    @Test
    public void aDelegateOverridingOnErrorMapiErrorGetsTheSdksFailuresThere() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.SUCCESS)) {
            ExternalTerminal terminal = simulator.terminal();
            MapiErrorDelegate abort = new MapiErrorDelegate();
            payments.abort(terminal, abort);
            assertEquals(MAPIError.NOT_A_FLOW_HAPPENING, abort.await("onError(MAPIError)", MAPIError.class));
            abort.assertNoMoreFinals();
            assertTrue("nothing reached the terminal: " + simulator.receivedFrames(),
                    simulator.receivedFrames().isEmpty());
        }
    }
}
