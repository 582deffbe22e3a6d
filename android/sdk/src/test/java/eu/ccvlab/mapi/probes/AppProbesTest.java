package eu.ccvlab.mapi.probes;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.util.Currency;
import java.util.List;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;

/**
 * Runs the probes' flows (apps A and P, see docs/api-provenance.md) against the simulator: what those apps
 * would see on our SDK, through the members they use.
 */
public class AppProbesTest {
    private static final long WAIT_SECONDS = 20;

    @Rule
    public final TemporaryFolder stateDirectory = new TemporaryFolder();

    @After
    public void reset() {
        MapiConfig.setStateDirectory(null);
    }

    private static ExternalTerminal demoTerminal(SimulatedTerminal simulator) {
        int port = simulator.builder().build().port();
        return DemoTranslationProbe.terminal("127.0.0.1", port, 0, ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET);
    }

    private static boolean anyStartsWith(List<String> events, String prefix) {
        for (String event : events) {
            if (event.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static int finals(List<String> events, String... prefixes) {
        int count = 0;
        for (String event : events) {
            for (String prefix : prefixes) {
                if (event.startsWith(prefix)) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    public void demoSaleDeliversReceiptsAndKeepsWhatTheAppKeeps() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "success")) {
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ExternalTerminal terminal = demoTerminal(simulator);
            assertEquals("OPI_DE/SINGLE_SOCKET", DemoTranslationProbe.describe(terminal));
            ProbeLog log = new ProbeLog();
            probe.sale(terminal, "12.50", log);
            PaymentResult result = (PaymentResult) log.await(WAIT_SECONDS);
            assertEquals(ResultState.SUCCESS, result.resultState());
            List<String> events = log.events();
            assertTrue(events.toString(), anyStartsWith(events, "customer receipt:\n"));
            assertTrue(events.toString(), anyStartsWith(events, "merchant receipt:\n"));
            assertNotNull("approval code kept", probe.keptApprovalCode);
            assertNull("no hash data source in OPI answers", probe.keptHashData);
            assertEquals(new Money(new BigDecimal("12.50"), Currency.getInstance("EUR")), probe.keptAmount);
            assertTrue(events.get(0), events.get(0).contains("posTimestamp=20"));
        }
    }

    @Test
    public void demoVoidBuiltWithoutAmountIsSentAsAReversalOfZero() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "success")) {
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ExternalTerminal terminal = demoTerminal(simulator);
            ProbeLog sale = new ProbeLog();
            probe.sale(terminal, "12.50", sale);
            sale.await(WAIT_SECONDS);

            ProbeLog voided = new ProbeLog();
            probe.voidLast(terminal, null, voided);
            Object outcome = voided.await(WAIT_SECONDS);
            assertTrue(voided.events().toString(), outcome instanceof PaymentResult);
            List<String> reversals = simulator.receivedContaining("PaymentReversal");
            assertEquals(1, reversals.size());
            assertFalse("a void without amount sends none: " + reversals.get(0),
                    reversals.get(0).contains("TotalAmount"));
        }
    }

    @Test
    public void demoStatusThroughGetStatusAndStatusReportsTheTerminalId() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "success")) {
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ExternalTerminal terminal = demoTerminal(simulator);
            ProbeLog getStatus = new ProbeLog();
            probe.getStatus(terminal, getStatus);
            PaymentAdministrationResult<?> viaGetStatus = (PaymentAdministrationResult<?>) getStatus.await(WAIT_SECONDS);
            assertEquals("Diagnosis", viaGetStatus.requestType());
            assertEquals("68000001", viaGetStatus.terminalId());

            ProbeLog status = new ProbeLog();
            probe.status(terminal, status);
            assertEquals("68000001", ((PaymentAdministrationResult<?>) status.await(WAIT_SECONDS)).terminalId());
            assertEquals(2, simulator.receivedContaining("Diagnosis").size());
        }
    }

    @Test
    public void demoRecoveryThroughATerminalDelegateReportsThePaymentAsAdministrationData() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("close-after-authorisation")) {
            MapiConfig.setStateDirectory(stateDirectory.getRoot());
            DemoTranslationProbe probe = new DemoTranslationProbe();
            int port = simulator.builder().build().port();
            ExternalTerminal terminal = simulator.connect(DemoTranslationProbe.terminalBuilder("127.0.0.1", port, 0,
                    ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET));
            ProbeLog sale = new ProbeLog();
            probe.sale(terminal, "12.50", sale);
            Error lost = (Error) sale.await(WAIT_SECONDS);
            assertEquals(MAPIError.TERMINAL_CONNECTION_LOST, lost.mapiError());
            assertTrue(sale.events().toString(), sale.events().contains(
                    "error: TERMINAL_CONNECTION_LOST: " + MAPIError.TERMINAL_CONNECTION_LOST.description()));

            ProbeLog recovery = new ProbeLog();
            probe.recoverPayment(terminal, lost.requestId(), recovery);
            PaymentAdministrationResult<?> recovered = (PaymentAdministrationResult<?>) recovery.await(WAIT_SECONDS);
            assertEquals("RepeatLastMessage", recovered.requestType());
            assertEquals(ResultState.SUCCESS, recovered.resultState());
            PaymentResult payment = (PaymentResult) recovered.data();
            assertTrue(payment.recovered());
            assertEquals(lost.requestId(), payment.requestId());
            assertEquals(lost.requestId(), recovered.requestId());
            RecordingDelegate.drainCallbackExecutor();
            assertEquals(recovery.events().toString(), 1, finals(recovery.events(), "administration", "error"));
        }
    }

    @Test
    public void demoClosingThenItsReprintWithAShiftNumber() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "success")) {
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ExternalTerminal terminal = demoTerminal(simulator);
            ProbeLog closing = new ProbeLog();
            probe.administration(terminal, "closing", 0, closing);
            assertTrue(closing.events().toString(), closing.await(WAIT_SECONDS) instanceof PaymentAdministrationResult);

            ProbeLog reprint = new ProbeLog();
            probe.administration(terminal, "reprintClosing", 3, reprint);
            assertTrue(reprint.events().toString(), reprint.await(WAIT_SECONDS) instanceof PaymentAdministrationResult);
            assertTrue(reprint.events().toString(), anyStartsWith(reprint.events(), "merchant receipt:\n"));
            // The reprint made with shiftNumber(3) carries it, as an element on OPI-DE; the closing made
            // without it does not.
            assertEquals(Integer.valueOf(3), terminal.shiftNumber(3).shiftNumber());
            List<String> withShift = simulator.receivedContaining("<ShiftNumber>3</ShiftNumber>");
            assertEquals(simulator.receivedXml().toString(), 1, withShift.size());
            assertTrue(withShift.get(0), withShift.get(0).contains("RequestType=\"TicketReprint\""));
        }
    }

    @Test
    public void demoAdministrationCallsAndRepeatLastMessageThroughATerminalDelegate() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(ExternalTerminal.TerminalType.OPI_DE,
                ExternalTerminal.SocketMode.SINGLE_SOCKET, "success")) {
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ExternalTerminal terminal = demoTerminal(simulator);
            ProbeLog sale = new ProbeLog();
            probe.sale(terminal, "12.50", sale);
            PaymentResult paid = (PaymentResult) sale.await(WAIT_SECONDS);

            ProbeLog repeat = new ProbeLog();
            probe.repeatLastMessage(terminal, repeat);
            PaymentAdministrationResult<?> repeated = (PaymentAdministrationResult<?>) repeat.await(WAIT_SECONDS);
            assertEquals(repeat.events().toString(), "RepeatLastMessage", repeated.requestType());
            assertEquals(paid.stan(), ((PaymentResult) repeated.data()).stan());

            ProbeLog lastTicket = new ProbeLog();
            probe.administration(terminal, "lastTicket", 0, lastTicket);
            assertTrue(lastTicket.events().toString(), lastTicket.await(WAIT_SECONDS) instanceof PaymentAdministrationResult);
            assertTrue(lastTicket.events().toString(), anyStartsWith(lastTicket.events(), "customer receipt:\n"));

            for (String which : new String[] {"startup", "activate", "overview"}) {
                ProbeLog log = new ProbeLog();
                probe.administration(terminal, which, 0, log);
                assertTrue(which + ": " + log.events(), log.await(WAIT_SECONDS) instanceof PaymentAdministrationResult);
            }

            ProbeLog abort = new ProbeLog();
            probe.abort(terminal, abort);
            Error nothing = (Error) abort.await(WAIT_SECONDS);
            assertEquals(MAPIError.NOT_A_FLOW_HAPPENING, nothing.mapiError());
            assertTrue(abort.events().toString(), abort.events().contains(
                    "error: NOT_A_FLOW_HAPPENING: " + MAPIError.NOT_A_FLOW_HAPPENING.description()));
        }
    }

    @Test
    public void demoReservationThenCaptureAsASaleWithTheKeptValues() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            int port = simulator.builder().build().port();
            ExternalTerminal terminal = simulator.connect(DemoTranslationProbe.terminalBuilder("127.0.0.1", port, 0,
                    ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET));
            DemoTranslationProbe probe = new DemoTranslationProbe();
            ProbeLog reservation = new ProbeLog();
            probe.reservation(terminal, "50.00", reservation);
            PaymentResult reserved = (PaymentResult) reservation.await(WAIT_SECONDS);
            assertEquals(reservation.events().toString(), ResultState.SUCCESS, reserved.state());
            assertEquals(reserved.approvalCode(), probe.keptApprovalCode);

            ProbeLog capture = new ProbeLog();
            probe.capture(terminal, "42.00", capture);
            PaymentResult captured = (PaymentResult) capture.await(WAIT_SECONDS);
            assertEquals(capture.events().toString(), ResultState.SUCCESS, captured.state());
            assertEquals(1, simulator.receivedContaining("CardPreAuthorisation").size());
            assertEquals("the capture goes out as a sale, as the app sends it", 1,
                    simulator.receivedContaining("\"CardPayment\"").size());
        }
    }

    @Test
    public void onDeviceSaleFillsWhatTheAppReadsFromTheTerminalsAnswer() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            int port = simulator.builder().build().port();
            ExternalTerminal terminal = simulator.connect(OnDeviceOpiNlProbe.terminalBuilder("127.0.0.1", port, 0));
            assertEquals(ExternalTerminal.Mode.COMPATIBLE, terminal.mode());
            OnDeviceOpiNlProbe probe = new OnDeviceOpiNlProbe();
            OnDeviceOpiNlProbe.Kept kept = new OnDeviceOpiNlProbe.Kept();
            ProbeLog log = new ProbeLog();
            probe.sale(terminal, "20", "EUR", "ORDER-000123", kept, log);
            PaymentResult result = (PaymentResult) log.await(WAIT_SECONDS);
            assertEquals(ResultState.SUCCESS, result.state());
            assertEquals("SUCCESS", kept.state);
            assertEquals(Long.valueOf(2000), kept.minorUnits);
            assertEquals("EUR", kept.currencyCode);
            assertNotNull(kept.paymentStan);
            assertEquals(result.stan(), kept.paymentStan);
            assertEquals("the simulator numbers receipts by STAN", kept.paymentStan, kept.receiptNumber);
            assertEquals("0", result.getReturnCode());
            assertEquals("0", result.getAnswerCode());
            assertNotNull(kept.approvalCode);
            assertTrue(kept.pan, kept.pan.contains("*"));
            assertNull(kept.panHash);
            assertNull(kept.trxReferenceNumber);
            assertEquals("the payment went out with the app's RequestID", "000123", result.requestId());
            int sent = 0;
            for (String xml : simulator.receivedContaining("RequestID=\"000123\"")) {
                sent += xml.contains("CardServiceRequest") && xml.contains("CardPayment") ? 1 : 0;
            }
            assertEquals(1, sent);

            ProbeLog refund = new ProbeLog();
            OnDeviceOpiNlProbe.Kept refunded = new OnDeviceOpiNlProbe.Kept();
            probe.refund(terminal, "20", "EUR", kept.receiptNumber, kept.approvalCode, refunded, refund);
            PaymentResult refundResult = (PaymentResult) refund.await(WAIT_SECONDS);
            assertEquals(refund.events().toString(), ResultState.SUCCESS, refundResult.state());
            assertEquals(1, simulator.receivedContaining("PaymentRefund").size());
        }
    }

    @Test
    public void aConnectionFailureReachesExactlyOneOnError() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ExternalTerminal terminal = OnDeviceOpiNlProbe.terminalBuilder("127.0.0.1", closedPort, 0).build();

        // P overrides both onError forms: the SDK's own error goes to onError(MAPIError) only.
        ProbeLog onDevice = new ProbeLog();
        new OnDeviceOpiNlProbe().sale(terminal, "1.00", "EUR", "7", new OnDeviceOpiNlProbe.Kept(), onDevice);
        assertSame(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL, onDevice.await(WAIT_SECONDS));

        // A overrides only onError(Error): the same failure arrives there.
        ProbeLog demo = new ProbeLog();
        new DemoTranslationProbe().sale(terminal, "1.00", demo);
        Error error = (Error) demo.await(WAIT_SECONDS);
        assertEquals(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL, error.mapiError());

        RecordingDelegate.drainCallbackExecutor();
        assertEquals(onDevice.events().toString(), 1, finals(onDevice.events(), "mapi error", "error", "approved",
                "declined"));
        assertEquals(demo.events().toString(), 1, finals(demo.events(), "error", "success"));
    }

    @Test
    public void theClassesTheOnDeviceAppProbesForLoad() {
        List<String> present = OnDeviceOpiNlProbe.sdkClassesPresent();
        assertTrue(present.toString(), present.contains("eu.ccvlab.mapi.api.PaymentService"));
        assertTrue(present.toString(), present.contains("eu.ccvlab.mapi.core.payment.Payment"));
    }
}
