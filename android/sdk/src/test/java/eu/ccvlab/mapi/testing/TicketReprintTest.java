package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/** L1A/L1B: {@code retrieveLastTicket} reprints the last customer ticket, Java API ↔ real simulator. */
public class TicketReprintTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    @Test
    public void l1aLastTicketIsReprintedAsACopyAfterAPaymentAndFailsBeforeAny() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate early = new RecordingDelegate();
            terminals.retrieveLastTicket(terminal, early);
            Error error = early.awaitError();
            assertEquals(ResultState.FAILURE, error.resultState());

            RecordingDelegate payment = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            payment.awaitPaymentSuccess();

            RecordingDelegate reprint = new RecordingDelegate();
            terminals.retrieveLastTicket(terminal, reprint);
            reprint.awaitAdministrationSuccess();
            List<Object> receipts = reprint.arguments("printCustomerReceiptAndSignature");
            assertEquals(1, receipts.size());
            List<String> lines = ((PaymentReceipt) receipts.get(0)).plainTextLines();
            assertTrue(lines.toString(), lines.get(0).contains("DUPLICATE"));
            assertTrue(lines.toString(), String.join("\n", lines).contains("12.50"));
            assertEquals("one TicketReprint before the payment, one after", 2,
                    simulator.receivedContaining("RequestType=\"TicketReprint\"").size());
            reprint.assertFinalCount(1);
        }
    }
}
