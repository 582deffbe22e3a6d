package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;

/** U1A/U1C identification (and signature) questions and C1G customer display text, Java API ↔ real simulator. */
public class CustomerInteractionTest {
    private final PaymentService payments = new PaymentService();

    private static int count(RecordingDelegate delegate, String method) {
        int count = 0;
        for (RecordingDelegate.Call call : delegate.calls()) {
            if (call.method.equals(method)) {
                count++;
            }
        }
        return count;
    }

    @Test
    public void u1aIdentificationConfirmedApprovesAndRefusedDeclines() {
        for (boolean answer : new boolean[] {true, false}) {
            try (SimulatedTerminal simulator = SimulatedTerminal.startNl("identification")) {
                RecordingDelegate delegate = new RecordingDelegate(answer);
                payments.payment(simulator.terminal(), Fixtures.sale(), delegate);
                if (answer) {
                    delegate.awaitPaymentSuccess();
                } else {
                    assertEquals(ResultState.FAILURE, delegate.awaitPaymentError().resultState());
                }
                assertEquals(1, count(delegate, "askCustomerIdentification"));
                assertEquals(0, count(delegate, "askCustomerSignature"));
                delegate.assertFinalCount(1);
            }
        }
    }

    @Test
    public void u1cSignatureThenIdentificationAreBothAsked() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("signature-and-identification")) {
            RecordingDelegate delegate = new RecordingDelegate(true);
            payments.payment(simulator.terminal(), Fixtures.sale(), delegate);
            delegate.awaitPaymentSuccess();
            assertEquals(1, count(delegate, "askCustomerSignature"));
            assertEquals(1, count(delegate, "askCustomerIdentification"));
        }
    }

    @Test
    public void c1gCustomerDisplayTextReachesShowOnCustomerDisplay() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("customer-display")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.payment(simulator.terminal(), Fixtures.sale(), delegate);
            delegate.awaitPaymentSuccess();
            List<Object> shown = delegate.arguments("showOnCustomerDisplay");
            assertEquals(1, shown.size());
            StringBuilder text = new StringBuilder();
            for (Object line : (List<?>) shown.get(0)) {
                text.append(((TextLine) line).text()).append('\n');
            }
            assertTrue(text.toString(), text.toString().contains("12.50"));
        }
    }
}
