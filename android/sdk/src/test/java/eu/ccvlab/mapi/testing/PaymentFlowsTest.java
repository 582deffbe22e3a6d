package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;

/** Payments, their device output, questions, recovery and administration, Java API ↔ real simulator. */
public class PaymentFlowsTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    /** Recovery tests keep the in-flight journal here, as an app does in its files directory. */
    @Rule
    public final TemporaryFolder stateDirectory = new TemporaryFolder();

    @After
    public void forgetStateDirectory() {
        MapiConfig.setStateDirectory(null);
    }

    private static List<String> methods(RecordingDelegate delegate) {
        List<String> methods = new ArrayList<>();
        for (RecordingDelegate.Call call : delegate.calls()) {
            if (methods.isEmpty() || !methods.get(methods.size() - 1).equals(call.method)) {
                methods.add(call.method);
            }
        }
        return methods;
    }

    private void happyFlow(TerminalType type, SocketMode mode, String terminalId) {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(type, mode, "success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            PaymentResult result = payment.awaitPaymentSuccess();
            payment.assertFinalCount(1);

            assertEquals(ResultState.SUCCESS, result.resultState());
            assertFalse(result.requestId().isEmpty());
            assertEquals(Fixtures.twelveFifty(), result.amount());
            assertFalse(result.recovered());
            assertEquals(terminalId, result.terminalId());
            assertEquals("MASTERCARD", result.cardCircuit());
            assertEquals("541333******4444", result.maskedPan());
            assertNotNull(result.stan());

            assertTrue("display: " + payment.displayLines(), payment.displayLines().contains("Present card"));
            List<Object> merchant = payment.arguments("printMerchantReceiptAndSignature");
            assertEquals(1, merchant.size());
            boolean amountOnReceipt = false;
            for (String line : ((PaymentReceipt) merchant.get(0)).plainTextLines()) {
                amountOnReceipt |= line.contains("12.50");
            }
            assertTrue("merchant receipt shows 12.50: " + merchant, amountOnReceipt);
            assertEquals(1, payment.arguments("printCustomerReceiptAndSignature").size());
            List<Object> journal = payment.arguments("storeEJournal");
            assertEquals(1, journal.size());
            assertTrue("e-journal: " + journal, ((String) journal.get(0)).contains("12.50"));

            assertEquals("callbacks in protocol order", java.util.Arrays.asList("showTerminalOutputLines",
                    "printMerchantReceiptAndSignature", "printCustomerReceiptAndSignature", "storeEJournal",
                    "onPaymentSuccess"), methods(payment));
            for (RecordingDelegate.Call call : payment.calls()) {
                assertNotEquals("never on the engine thread", "mapi-engine", call.thread);
            }
            // The engine thread may be attached under another name: the positive check is what proves it.
            payment.assertAllOnThread("mapi-callbacks");

            List<String> requests = simulator.receivedContaining("CardPayment");
            assertEquals(1, requests.size());
            assertTrue(requests.get(0), requests.get(0).contains("12.50"));
            assertTrue(requests.get(0), requests.get(0).contains("EUR"));
        }
    }

    @Test
    public void c1aHappyFlowDeliversDisplayReceiptsJournalAndResultOpiNlDualSocket() {
        happyFlow(TerminalType.OPI_NL, SocketMode.DUAL_SOCKET, "29000001");
    }

    @Test
    public void c1aHappyFlowDeliversDisplayReceiptsJournalAndResultOpiDeSingleSocket() {
        happyFlow(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET, "68000001");
    }

    @Test
    public void paymentTypesTravelAsTheirOpiRequestTypes() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            String[][] cases = {{"SALE", "CardPayment"}, {"REFUND", "PaymentRefund"}, {"VOID", "PaymentReversal"}};
            for (String[] expected : cases) {
                RecordingDelegate delegate = new RecordingDelegate();
                payments.payment(terminal, Fixtures.payment(Payment.Type.valueOf(expected[0])), delegate);
                delegate.awaitPaymentSuccess();
                assertEquals(expected[1], 1, simulator.receivedContaining("\"" + expected[1] + "\"").size());
            }
            RecordingDelegate reservation = new RecordingDelegate();
            payments.reservation(terminal, Fixtures.sale(), reservation);
            reservation.awaitPaymentSuccess();
            assertEquals(1, simulator.receivedContaining("\"CardPreAuthorisation\"").size());
            assertEquals("the SALE of the reservation's Payment was not sent again", 1,
                    simulator.receivedContaining("\"CardPayment\"").size());
        }
    }

    @Test
    public void callbacksArriveOnTheConfiguredExecutorThread() throws Exception {
        Executor previous = MapiConfig.getCallbackExecutor();
        ExecutorService posThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "pos-ui"));
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            MapiConfig.setCallbackExecutor(posThread);
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            RecordingDelegate abort = new RecordingDelegate();
            RecordingDelegate circuits = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            payment.awaitPaymentSuccess();
            payments.abort(terminal, abort);
            abort.awaitError(MAPIError.NOT_A_FLOW_HAPPENING);
            terminals.cardCircuits(terminal, circuits);
            circuits.awaitAdministrationSuccess();
            for (RecordingDelegate delegate : new RecordingDelegate[] {payment, abort, circuits}) {
                assertFalse(delegate.calls().isEmpty());
                delegate.assertAllOnThread("pos-ui");
            }
            assertTrue(payment.calls().size() >= 5);
        } finally {
            MapiConfig.setCallbackExecutor(previous);
            posThread.shutdown();
        }
    }

    @Test
    public void withoutConfigurationCallbacksArriveOnTheMapiCallbacksThread() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET,
                "success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            payment.awaitPaymentSuccess();
            payment.assertAllOnThread("mapi-callbacks");
        }
    }

    @Test
    public void u1bSignatureQuestionIsAnsweredByTheDelegateAndDefaultsToNo() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("signature")) {
            ExternalTerminal terminal = simulator.terminal();

            RecordingDelegate yes = new RecordingDelegate(true);
            payments.payment(terminal, Fixtures.sale(), yes);
            assertEquals(ResultState.SUCCESS, yes.awaitPaymentSuccess().resultState());
            assertEquals(1, yes.arguments("askCustomerSignature").size());

            RecordingDelegate no = new RecordingDelegate(false);
            payments.payment(terminal, Fixtures.sale(), no);
            assertEquals(ResultState.FAILURE, no.awaitPaymentError().resultState());
            assertEquals(1, no.arguments("askCustomerSignature").size());

            RecordingDelegate byDefault = new RecordingDelegate(null);
            payments.payment(terminal, Fixtures.sale(), byDefault);
            assertEquals("the interface default answers no", ResultState.FAILURE,
                    byDefault.awaitPaymentError().resultState());

            for (RecordingDelegate delegate : new RecordingDelegate[] {yes, no, byDefault}) {
                delegate.assertFinalCount(1);
            }
        }
    }

    @Test
    public void t1aConnectionLostAfterAuthorisationIsRecoveredWithRecoverPayment() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET,
                "close-after-authorisation")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            Error lost = payment.awaitError(MAPIError.TERMINAL_CONNECTION_LOST);
            assertTrue(lost.toString(), lost.recoveryNeeded());
            assertNotNull(lost.requestId());

            RecordingDelegate recovery = new RecordingDelegate();
            terminals.recoverPayment(terminal, lost.requestId(), recovery);
            PaymentResult recovered = recovery.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(lost.requestId(), recovered.requestId());
            assertEquals(Fixtures.twelveFifty(), recovered.amount());
            assertEquals(1, simulator.receivedContaining("RepeatLastMessage").size());
            payment.assertFinalCount(1);
            recovery.assertFinalCount(1);
        }
    }

    @Test
    public void q1gSilentTerminalTimesOutAndRepeatLastMessageSettlesThePayment() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("silent")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            ExternalTerminal terminal = simulator.connect(simulator.builder().responseTimeoutMillis(500));
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            Error timeout = payment.awaitError(MAPIError.RESPONSE_TIMEOUT);
            assertTrue(timeout.toString(), timeout.recoveryNeeded());
            assertEquals(ResultState.FAILURE, timeout.resultState());
            payment.assertFinalCount(1);

            RecordingDelegate recovery = new RecordingDelegate();
            terminals.repeatLastMessage(terminal, recovery);
            PaymentResult recovered = recovery.awaitPaymentSuccess();
            assertTrue(recovered.recovered());
            assertEquals(timeout.requestId(), recovered.requestId());
            assertEquals("amount from the in-flight journal", Fixtures.twelveFifty(), recovered.amount());
            recovery.assertFinalCount(1);
        }
    }

    @Test
    public void administrativeRequestsSucceedWithTheirOpiRequestTypes() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            String[] wire = {"GetStatus", "Login", "Login", "ReconciliationWithClosure", "Reconciliation"};
            for (int operation = 0; operation < wire.length; operation++) {
                RecordingDelegate delegate = new RecordingDelegate();
                switch (operation) {
                    case 0:
                        terminals.status(terminal, delegate);
                        break;
                    case 1:
                        terminals.login(terminal, delegate);
                        break;
                    case 2:
                        terminals.startup(terminal, delegate);
                        break;
                    case 3:
                        terminals.periodClosing(terminal, delegate);
                        break;
                    default:
                        terminals.partialPeriodClosing(terminal, delegate);
                        break;
                }
                assertEquals(ResultState.SUCCESS, delegate.awaitAdministrationSuccess().resultState());
                delegate.assertFinalCount(1);
            }
            assertEquals(1, simulator.receivedContaining("\"GetStatus\"").size());
            assertEquals(2, simulator.receivedContaining("\"Login\"").size());
            assertEquals(1, simulator.receivedContaining("\"ReconciliationWithClosure\"").size());
            assertEquals(1, simulator.receivedContaining("\"Reconciliation\"").size());
        }
    }
}
