package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * The operations beyond payments and aborts, through the public Java API, the real native library and the
 * simulator over loopback: transaction overview, period-closing reprint, activation, configuration, card
 * circuits, Mifare reads, card detection and validation, card tokens, DCC offers, e-receipts, journal receipts
 * and AUTH_AND_CAP_FLOW_NOT_SUPPORTED.
 */
public class SdkSurfaceTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();

    @Test
    public void transactionOverviewPrintsTheTotalsAndListsThemInTheResult() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            terminals.transactionOverview(simulator.terminal(), delegate);
            PaymentAdministrationResult<?> result = delegate.awaitAdministrationSuccess();
            assertEquals("TransactionOverview", result.requestType());
            assertEquals(Arrays.asList("MASTERCARD 3 125.50 EUR", "VISA 1 42.00 EUR"), result.data());
            List<Object> reports = delegate.arguments("printMerchantReceiptAndSignature");
            assertEquals(1, reports.size());
            assertTrue(((PaymentReceipt) reports.get(0)).plainTextLines().contains("  TRANSACTION OVERVIEW"));
            delegate.assertFinalCount(1);
        }
    }

    @Test
    public void ticketReprintPeriodClosingFailsBeforeAClosingAndReprintsAfterOne() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate before = new RecordingDelegate();
            terminals.ticketReprintPeriodClosing(terminal, before);
            Error error = before.awaitError();
            assertNull(error.mapiError());
            assertEquals(ResultState.FAILURE, error.resultState());

            RecordingDelegate closing = new RecordingDelegate();
            terminals.periodClosing(terminal, closing);
            closing.awaitAdministrationSuccess();
            RecordingDelegate after = new RecordingDelegate();
            terminals.ticketReprintPeriodClosing(terminal, after);
            after.awaitAdministrationSuccess();
            List<Object> reports = after.arguments("printMerchantReceiptAndSignature");
            assertEquals(1, reports.size());
            List<String> lines = ((PaymentReceipt) reports.get(0)).plainTextLines();
            assertEquals("*** DUPLICATE ***", lines.get(0));
            assertTrue(lines.toString(), lines.contains("  PERIOD CLOSING"));
        }
    }

    @Test
    public void activateGetConfigAndCardCircuitsAnswerWithTheirData() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate activate = new RecordingDelegate();
            terminals.activateTerminal(terminal, activate);
            assertEquals("Activate", activate.awaitAdministrationSuccess().requestType());

            RecordingDelegate config = new RecordingDelegate();
            terminals.getConfig(terminal, config);
            config.awaitAdministrationSuccess();
            assertEquals("configData comes before the final callback", "configData", config.calls().get(0).method);
            ConfigData data = (ConfigData) config.arguments("configData").get(0);
            assertEquals("EUR", data.get("Currency"));
            assertEquals(4, data.values().size());

            RecordingDelegate circuits = new RecordingDelegate();
            terminals.cardCircuits(terminal, circuits);
            assertEquals(Arrays.asList("MAES", "ECMC", "VISA", "AMEX"),
                    circuits.awaitAdministrationSuccess().data());
            assertEquals(1, simulator.receivedContaining("RequestType=\"GetConfig\"").size());
        }
    }

    @Test
    public void readMifareUidDeliversTheUidOrTheTerminalsRefusal() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            terminals.readMifareUID(simulator.terminal(), delegate);
            delegate.awaitAdministrationSuccess();
            assertEquals(Arrays.asList((Object) "04A224B2C35E80"), delegate.arguments("cardUID"));
        }
        String[][] failures = {{"mifare-unknown", "UNKNOWN"}, {"mifare-absent", "TIMED_OUT"}};
        for (String[] failure : failures) {
            try (SimulatedTerminal simulator = SimulatedTerminal.startNl(failure[0])) {
                RecordingDelegate delegate = new RecordingDelegate();
                terminals.readMifareUID(simulator.terminal(), delegate);
                Error error = delegate.awaitError();
                assertEquals(failure[0], ResultState.valueOf(failure[1]), error.resultState());
                assertTrue(delegate.arguments("cardUID").isEmpty());
                delegate.assertFinalCount(1);
            }
        }
    }

    @Test
    public void cardDetectionReportsTheCardAndItsTokenWithoutAnAmount() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.connect(simulator.builder().requestToken(true));
            RecordingDelegate delegate = new RecordingDelegate();
            payments.cardDetection(terminal, delegate);
            PaymentResult result = delegate.awaitPaymentSuccess();
            assertNull(result.amount());
            assertEquals("MASTERCARD", result.cardCircuit());
            assertEquals("541333******4444", result.maskedPan());
            assertTrue(String.valueOf(result.token()), result.token().startsWith("TKN-SIM-"));
            assertFalse("the token stays out of logs", result.toString().contains("TKN-SIM"));
            assertEquals(1, simulator.receivedContaining("\"CardDetection\"").size());
            assertTrue(delegate.arguments("printMerchantReceiptAndSignature").isEmpty());
        }
    }

    @Test
    public void cardValidationSucceedsOrIsRefused() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.cardValidation(simulator.terminal(), delegate);
            assertNull(delegate.awaitPaymentSuccess().token());
        }
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("declined")) {
            RecordingDelegate delegate = new RecordingDelegate();
            payments.cardValidation(simulator.terminal(), delegate);
            assertEquals(ResultState.FAILURE, delegate.awaitPaymentError().resultState());
        }
    }

    @Test
    public void aPaymentWithRequestTokenReturnsTheToken() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.connect(simulator.builder().requestToken(true));
            RecordingDelegate delegate = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), delegate);
            PaymentResult result = delegate.awaitPaymentSuccess();
            assertEquals("TKN-SIM-" + result.stan() + "-7F3A", result.token());
            assertEquals(1, simulator.receivedContaining("RequestToken").size());
        }
    }

    @Test
    public void dccOfferEReceiptAndJournalReceiptReachTheDelegate() {
        String[][] cases = {{"dcc", "printDccOffer"}, {"e-receipt", "eReceipt"}, {"journal-receipt", "printJournalReceipt"}};
        for (String[] scenario : cases) {
            try (SimulatedTerminal simulator = SimulatedTerminal.startNl(scenario[0])) {
                RecordingDelegate delegate = new RecordingDelegate();
                payments.payment(simulator.terminal(), Fixtures.sale(), delegate);
                delegate.awaitPaymentSuccess();
                List<Object> delivered = delegate.arguments(scenario[1]);
                assertEquals(scenario[0], 1, delivered.size());
                Object argument = delivered.get(0);
                String text = argument instanceof EReceiptRequest ? ((EReceiptRequest) argument).content()
                        : String.join("\n", ((PaymentReceipt) argument).plainTextLines());
                assertFalse(scenario[0], text.isEmpty());
            }
        }
    }

    @Test
    public void reservationOnATerminalWithoutTheFlowIsAuthAndCapFlowNotSupported() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("no-auth-and-capture")) {
            RecordingDelegate delegate = new RecordingDelegate();
            Payment reservation = Payment.builder().type(Payment.Type.RESERVATION).amount(Fixtures.sale().amount())
                    .build();
            payments.reservation(simulator.terminal(), reservation, delegate);
            Error error = delegate.awaitError(MAPIError.AUTH_AND_CAP_FLOW_NOT_SUPPORTED);
            assertFalse(error.recoveryNeeded());
            delegate.assertFinalCount(1);
        }
    }

    @Test
    public void unattendedTokenPreAuthorisationThenSettlementAndTheE13ZeroAdvice() {
        TokenService tokens = new TokenService();
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            assertFalse("the token is asked whatever the terminal's setting", terminal.requestToken());
            RecordingDelegate pre = new RecordingDelegate();
            tokens.tokenPreAuthorisation(terminal, euros("50.00"), pre);
            PaymentResult reserved = pre.awaitPaymentSuccess();
            assertTrue(String.valueOf(reserved.token()), reserved.token().startsWith("TKN-SIM-"));
            assertEquals(1, simulator.receivedContaining("\"CardPreAuthorisation\"").size());

            RecordingDelegate settle = new RecordingDelegate();
            tokens.settlement(terminal, euros("12.34"), reserved.stan(), settle);
            assertEquals(new BigDecimal("12.34"), settle.awaitPaymentSuccess().amount().value());
            RecordingDelegate zero = new RecordingDelegate();
            tokens.settlement(terminal, euros("0.00"), reserved.stan(), zero);
            zero.awaitPaymentSuccess();
            assertEquals("both advices name the pre-authorisation", 2,
                    simulator.receivedContaining("STAN=\"" + reserved.stan() + "\"").size());
        }
    }

    private static Payment euros(String amount) {
        return Payment.builder().type(Payment.Type.SALE)
                .amount(new Money(new BigDecimal(amount), Currency.getInstance("EUR"))).build();
    }
}
