package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.util.Currency;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;

/** Amounts checked before sending (S1A–S1D), voids of a specific sale, captures: Java API ↔ real simulator. */
public class AmountsAndReferencesTest {
    private final PaymentService payments = new PaymentService();

    private static Payment payment(Payment.Type type, String amount, String originalStan) {
        return Payment.builder()
                .type(type)
                .amount(new Money(new BigDecimal(amount), Currency.getInstance("EUR")))
                .originalStan(originalStan)
                .build();
    }

    @Test
    public void s1aS1bS1dInvalidAmountsAreRefusedWithValidationErrorAndNothingIsSent() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            for (String amount : new String[] {"0.00", "-1.00", "1000000.00", "0.001"}) {
                RecordingDelegate delegate = new RecordingDelegate();
                payments.payment(terminal, payment(Payment.Type.SALE, amount, null), delegate);
                Error error = delegate.awaitError();
                assertNull("amount " + amount + ": " + error, error.mapiError());
                assertEquals("amount " + amount, ResultState.VALIDATION_ERROR, error.resultState());
                delegate.assertFinalCount(1);
            }
            assertTrue("nothing reached the terminal: " + simulator.receivedXml(), simulator.receivedXml().isEmpty());
            RecordingDelegate highest = new RecordingDelegate();
            payments.payment(terminal, payment(Payment.Type.SALE, "999999.99", null), highest);
            highest.awaitPaymentSuccess();
            assertEquals(1, simulator.receivedContaining(">999999.99<").size());
        }
    }

    @Test
    public void voidOfASpecificSaleIsNotSupportedOnOpiNl() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.payment(simulator.terminal(), payment(Payment.Type.VOID, "1.00", "000029"), delegate);
            delegate.awaitError(MAPIError.VOID_SPECIFIC_SALE_NOT_SUPPORTED);
            assertTrue(simulator.receivedXml().isEmpty());
        }
    }

    @Test
    public void voidOfASpecificSaleNamesItsStanOnOpiDe() {
        try (SimulatedTerminal simulator = SimulatedTerminal.start(TerminalType.OPI_DE, SocketMode.SINGLE_SOCKET,
                "success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.payment(simulator.terminal(), payment(Payment.Type.VOID, "1.00", "000029"), delegate);
            delegate.awaitPaymentSuccess();
            assertEquals(1, simulator.receivedContaining("RequestType=\"PaymentReversal\"").size());
            assertEquals(1, simulator.receivedContaining("STAN=\"000029\"").size());
        }
    }

    @Test
    public void e13CaptureOfZeroIsACardFinancialAdviceNamingTheReservation() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.payment(simulator.terminal(), payment(Payment.Type.CAPTURE, "0.00", "000017"), delegate);
            delegate.awaitPaymentSuccess();
            assertEquals(1, simulator.receivedContaining("RequestType=\"CardFinancialAdvice\"").size());
            assertEquals(1, simulator.receivedContaining("STAN=\"000017\"").size());
        }
    }
}
