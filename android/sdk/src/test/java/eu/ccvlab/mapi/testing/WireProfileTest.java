package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.WireProfile;

/**
 * The wire profile from Java: the shift number reaches POSdata in the dialect's form, a profile set on the
 * builder changes what the real engine sends, and a profile text with a typo fails where it is read.
 */
public class WireProfileTest {
    private static String lastServiceRequest(SimulatedTerminal simulator) {
        java.util.List<String> requests = simulator.receivedContaining("<ServiceRequest");
        assertTrue("no service request reached the terminal", !requests.isEmpty());
        return requests.get(requests.size() - 1);
    }

    @Test
    public void shiftNumberGoesOutAsThePublicOpiNlAttribute() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal().shiftNumber(7);
            RecordingDelegate delegate = new RecordingDelegate();
            new TerminalService().status(terminal, delegate);
            delegate.awaitAdministrationSuccess();
            String sent = lastServiceRequest(simulator);
            assertTrue(sent, sent.contains("RequestType=\"GetStatus\""));
            assertTrue(sent, sent.contains("ShiftNumber=\"7\""));
            assertTrue(sent, sent.contains("LanguageCode=\"en\""));
            assertTrue(sent, sent.contains("<PrinterStatus>Available</PrinterStatus>"));
        }
    }

    @Test
    public void aProfileOnTheBuilderChangesWhatIsSent() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            WireProfile profile = WireProfile.parse("# from pay conformance\nstatus-request = Diagnosis\n"
                    + "shift-number = element\nprinter-status = off\n");
            ExternalTerminal terminal = simulator.connect(simulator.builder().wireProfile(profile)).shiftNumber(3);
            assertEquals(profile, terminal.wireProfile());
            RecordingDelegate delegate = new RecordingDelegate();
            new TerminalService().status(terminal, delegate);
            delegate.awaitAdministrationSuccess();
            String sent = lastServiceRequest(simulator);
            assertTrue(sent, sent.contains("RequestType=\"Diagnosis\""));
            assertTrue(sent, sent.contains("<ShiftNumber>3</ShiftNumber>"));
            assertTrue(sent, !sent.contains("PrinterStatus"));
        }
    }

    private static String refundSent(SimulatedTerminal simulator, ExternalTerminal terminal) {
        Payment refund = Payment.builder().type(Payment.Type.REFUND).amount(Fixtures.twelveFifty())
                .posTimestamp("2026-12-07T09:41:07.250+01:00").referenceNumber(31).merchantReference("order-5512")
                .build();
        RecordingDelegate delegate = new RecordingDelegate();
        new PaymentService().payment(terminal, refund, delegate);
        delegate.awaitPaymentSuccess();
        java.util.List<String> refunds = simulator.receivedContaining("RequestType=\"PaymentRefund\"");
        assertEquals(1, refunds.size());
        return refunds.get(0);
    }

    @Test
    public void paymentReferencesGoOutOnlyUnderTheIfsfProfileAndTheAppTimestampAlways() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            String sent = refundSent(simulator, simulator.terminal());
            assertTrue(sent, sent.contains("<POSTimeStamp>2026-12-07T09:41:07.250+01:00</POSTimeStamp>"));
            assertTrue(sent, !sent.contains("ReferenceNumber") && !sent.contains("MerchantReference"));
        }
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.connect(
                    simulator.builder().wireProfile(WireProfile.parse("payment-references = ifsf")));
            String sent = refundSent(simulator, terminal);
            assertTrue(sent, sent.contains("ReferenceNumber=\"31\""));
            assertTrue(sent, sent.contains("<Acquirer MerchantReference=\"order-5512\"/>"));
        }
    }

    @Test
    public void aTypoIsAnErrorNamingItsLine() {
        try {
            WireProfile.parse("status-request = GetStatus\nabort-request-id = mine\n");
            fail("a value that is not a choice was accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("line 2"));
            assertTrue(expected.getMessage(), expected.getMessage().contains("[own, running, referenced]"));
        }
        try {
            WireProfile.parse("shift-nmber = element");
            fail("an unknown key was accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("unknown key 'shift-nmber'"));
        }
        WireProfile profile = WireProfile.parse("abort-request-id = running");
        assertEquals("running", profile.get("abort-request-id"));
        assertNull(profile.get("status-request"));
        assertEquals(profile, WireProfile.parse(profile.toString()));
    }
}
