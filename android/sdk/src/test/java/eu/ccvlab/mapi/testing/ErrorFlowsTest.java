package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.Flows;

/** The SDK's own errors (MAPIError). */
public class ErrorFlowsTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    private static int portWithNothingListening() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    public void q1cNothingListeningIsFailedToConnectToTerminal() throws IOException {
        ExternalTerminal terminal = ExternalTerminal.builder()
                .ipAddress("127.0.0.1")
                .port(portWithNothingListening())
                .terminalType(ExternalTerminal.TerminalType.OPI_DE)
                .socketMode(ExternalTerminal.SocketMode.SINGLE_SOCKET)
                .workstationId("UNREACHABLE")
                .connectTimeoutMillis(2_000)
                .build();
        RecordingDelegate payment = new RecordingDelegate();
        payments.payment(terminal, Fixtures.sale(), payment);
        Error error = payment.awaitError(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL);
        assertFalse("nothing was sent, so nothing to recover: " + error, error.recoveryNeeded());
        assertEquals(ResultState.FAILURE, error.resultState());
        payment.assertFinalCount(1);

        RecordingDelegate status = new RecordingDelegate();
        terminals.status(terminal, status);
        status.awaitError(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL);
        status.assertFinalCount(1);
    }

    @Test
    public void q1gNoAnswerInTimeIsResponseTimeoutAndNeedsRecovery() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "silent")) {
            ExternalTerminal terminal = simulator.connect(simulator.builder().responseTimeoutMillis(500));
            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            Error error = payment.awaitError(MAPIError.RESPONSE_TIMEOUT);
            assertTrue(error.toString(), error.recoveryNeeded());
            assertTrue(error.toString(), error.requestId() != null && !error.requestId().isEmpty());
            assertTrue("the payment reached the terminal", simulator.receivedContaining("CardPayment").size() == 1);
            payment.assertFinalCount(1);
        }
    }

    @Test
    public void aSecondPaymentWhileOneRunsIsFlowAlreadyHappeningAndIsNotSent() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("hold")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate first = new RecordingDelegate();
            RecordingDelegate second = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), first);
            simulator.awaitStep("AwaitingCard");
            payments.payment(terminal, Fixtures.sale(), second);
            Error error = second.awaitError(MAPIError.FLOW_ALREADY_HAPPENING);
            assertFalse(error.recoveryNeeded());

            simulator.release(SimulatedTerminal.CARD_PRESENTED);
            simulator.release(SimulatedTerminal.COMPLETION);
            first.awaitPaymentSuccess();
            assertEquals("only the first payment reached the terminal", 1,
                    simulator.receivedContaining("\"CardPayment\"").size());
            first.assertFinalCount(1);
            second.assertFinalCount(1);
        }
    }
}
