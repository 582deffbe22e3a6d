package eu.ccvlab.mapi.probes;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.Test;

import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.DeliveryBoxCallback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.RequestType;
import eu.ccvlab.mapi.core.api.TerminalApi;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.Card;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.DelegateCallbacks;

/**
 * The members apps A and P use (docs/api-provenance.md), checked without a terminal: values, validation,
 * defaults and which callback the SDK calls.
 */
public class CompatibilityMembersTest {
    private static final Executor NOW = Runnable::run;

    private static Money euros(String value) {
        return new Money(new BigDecimal(value), java.util.Currency.getInstance("EUR"));
    }

    @Test
    public void aVoidMayLeaveOutTheAmountEveryOtherTypeMayNot() {
        Payment voided = Payment.builder().type(Payment.Type.VOID).posTimestamp("2026-01-02T03:04:05.678+01:00")
                .transactionId("T1").build();
        assertNull(voided.amount());
        assertEquals("2026-01-02T03:04:05.678+01:00", voided.posTimestamp());
        assertEquals("T1", voided.transactionId());
        assertTrue(voided.toString(), voided.toString().contains("no amount"));
        assertEquals(voided, voided.toBuilder().build());
        for (Payment.Type type : new Payment.Type[] {Payment.Type.SALE, Payment.Type.REFUND,
                Payment.Type.RESERVATION, Payment.Type.CAPTURE}) {
            try {
                Payment.builder().type(type).build();
                fail(type + " without amount");
            } catch (NullPointerException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("amount"));
            }
        }
    }

    @Test
    public void theAppsPaymentValuesAreValidatedAndKept() {
        Payment payment = Payment.builder().type(Payment.Type.REFUND).amount(euros("20.00")).requestId("123456789")
                .merchantReference("ORDER-1").referenceNumber(42).approvalCode("A1").token("tok")
                .originalTransactionRequestType(RequestType.CARD_PAYMENT).build();
        assertEquals("123456789", payment.requestId());
        assertEquals("123456789", payment.getRequestId());
        assertEquals("ORDER-1", payment.merchantReference());
        assertEquals(Integer.valueOf(42), payment.referenceNumber());
        assertEquals("A1", payment.approvalCode());
        assertEquals("tok", payment.token());
        assertSame(RequestType.CARD_PAYMENT, payment.originalTransactionRequestType());
        assertNull(payment.getPosTimestamp());
        assertEquals(payment, payment.toBuilder().build());
        assertEquals(payment.hashCode(), payment.toBuilder().build().hashCode());

        for (String bad : new String[] {"1234567890", "12a", "", "-1", "１２", "0", "000"}) {
            try {
                Payment.builder().requestId(bad);
                fail("requestId " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("9 digits"));
            }
        }
        char[] long101 = new char[101];
        Arrays.fill(long101, 'x');
        try {
            Payment.builder().merchantReference(new String(long101));
            fail("101 characters");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("100"));
        }
        Payment.builder().merchantReference(new String(long101, 0, 100)).requestId(null).merchantReference(null);
        try {
            Payment.builder().referenceNumber(-1);
            fail("negative reference number");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("referenceNumber"));
        }
        assertEquals("CardPayment", RequestType.CARD_PAYMENT.opiName());
        assertEquals("PaymentReversal", RequestType.PAYMENT_REVERSAL.opiName());
    }

    @Test
    public void shiftNumberReturnsAnEqualCopyAndModeAndSocketModeHaveDefaults() {
        ExternalTerminal terminal = ExternalTerminal.builder().ipAddress("127.0.0.1").build();
        assertEquals(ExternalTerminal.Mode.ATTENDED, terminal.mode());
        assertEquals(ExternalTerminal.SocketMode.DUAL_SOCKET, terminal.socketMode());
        ExternalTerminal shifted = terminal.shiftNumber(7);
        assertNotSame(terminal, shifted);
        assertEquals(terminal, shifted);
        assertEquals(terminal.hashCode(), shifted.hashCode());
        assertEquals(Integer.valueOf(7), shifted.shiftNumber());
        assertEquals(Integer.valueOf(7), shifted.getShiftNumber());
        assertNull(terminal.shiftNumber());
        assertTrue(shifted.toString(), shifted.toString().contains("shiftNumber=7"));
        try {
            terminal.shiftNumber(-1);
            fail("negative shift");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("shiftNumber"));
        }
        ExternalTerminal compatible = ExternalTerminal.builder().ipAddress("127.0.0.1")
                .mode(ExternalTerminal.Mode.COMPATIBLE).build();
        assertEquals(ExternalTerminal.Mode.COMPATIBLE, compatible.getMode());
        assertEquals(4102, compatible.compatibilityPort());
    }

    @Test
    public void everyMapiErrorHasASentence() {
        HashSet<String> seen = new HashSet<>();
        for (MAPIError error : MAPIError.values()) {
            String description = error.description();
            assertNotNull(error.name(), description);
            assertTrue(error + ": " + description, description.length() > 20 && description.endsWith("."));
            assertTrue("unique: " + description, seen.add(description));
        }
    }

    @Test
    public void ccvNamedAnswersReachTheSameAnswers() {
        List<String> answers = new ArrayList<>();
        new Callback() {
            @Override
            public void onSuccess() {
                answers.add("yes");
            }

            @Override
            public void onFailure() {
                answers.add("no");
            }
        }.proceed();
        new CustomerSignatureCallback() {
            @Override
            public void onSignature(byte[] signatureImage) {
                answers.add("signature " + signatureImage.length);
            }

            @Override
            public void onFailure() {
                answers.add("no signature");
            }
        }.signature(new byte[100]);
        PaymentDelegate defaults = new PaymentDelegate() {
        };
        defaults.onDeliverGoodsOrServices((DeliveryBoxCallback) delivered -> answers.add("delivered " + delivered));
        assertEquals(Arrays.asList("yes", "signature 100", "delivered false"), answers);
    }

    @Test
    public void customerDisplayArrivesAsMainTextAndLinesAndReachesTheOldFormByDefault() {
        List<Object> shown = new ArrayList<>();
        PaymentDelegate newForm = new PaymentDelegate() {
            @Override
            public void showOnCustomerDisplay(MainTextRequest mainText, DisplayTextRequest lines) {
                shown.add(mainText.text());
                shown.add(lines.lines().size());
            }
        };
        new DelegateCallbacks("payment", newForm, NOW).onOutput(DelegateCallbacks.CUSTOMER_DISPLAY,
                new String[] {"Welcome", "EUR 12.50"});
        assertEquals(Arrays.<Object>asList("Welcome\nEUR 12.50", 2), shown);

        List<List<TextLine>> old = new ArrayList<>();
        @SuppressWarnings("deprecation")
        PaymentDelegate oldForm = new PaymentDelegate() {
            @Override
            public void showOnCustomerDisplay(List<TextLine> lines) {
                old.add(lines);
            }
        };
        new DelegateCallbacks("payment", oldForm, NOW).onOutput(DelegateCallbacks.CUSTOMER_DISPLAY,
                new String[] {"Welcome"});
        assertEquals(Collections.singletonList(Collections.singletonList(new TextLine("Welcome"))), old);
        assertEquals("Welcome", new MainTextRequest("Welcome").getText());
    }

    /** A delegate overriding both onError forms, recording which one ran. */
    private static final class BothErrors implements PaymentDelegate {
        final List<Object> calls = new ArrayList<>();

        @Override
        public void onError(Error error) {
            calls.add(error);
        }

        @Override
        public void onError(MAPIError error) {
            calls.add(error);
        }
    }

    @Test
    public void exactlyOneOnErrorPerFailureAndTheMapiErrorFormOnlyWhenItApplies() {
        BothErrors both = new BothErrors();
        new DelegateCallbacks("payment", both, NOW).onError("FAILED_TO_CONNECT_TO_TERMINAL", null, null, false, "x");
        assertEquals(Collections.<Object>singletonList(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL), both.calls);

        BothErrors lost = new BothErrors();
        new DelegateCallbacks("payment", lost, NOW).onError("TERMINAL_CONNECTION_LOST", null, "5", true, "x");
        assertEquals(1, lost.calls.size());
        Error error = (Error) lost.calls.get(0);
        assertTrue("recovery needs the Error's RequestID", error.recoveryNeeded());
        assertEquals("5", error.requestId());

        BothErrors refused = new BothErrors();
        new DelegateCallbacks("payment", refused, NOW).onError(null, "Failure", "6", false, "declined");
        assertEquals(1, refused.calls.size());
        assertTrue("a terminal's refusal has no MAPIError", refused.calls.get(0) instanceof Error);

        List<Object> plain = new ArrayList<>();
        PaymentDelegate onlyError = new PaymentDelegate() {
            @Override
            public void onError(Error e) {
                plain.add(e);
            }
        };
        new DelegateCallbacks("payment", onlyError, NOW).onError("FAILED_TO_CONNECT_TO_TERMINAL", null, null, false,
                "x");
        assertEquals(1, plain.size());
        assertEquals(MAPIError.FAILED_TO_CONNECT_TO_TERMINAL, ((Error) plain.get(0)).mapiError());
    }

    @Test
    public void resultAliasesReadTheSameValuesAndMissingSourcesAreNull() {
        PaymentResult result = new PaymentResult(ResultState.FAILURE, "9", euros("1.00"), false, "29000001",
                "000321", "AC", "VISA", "4111******1111", "tok", "321", "05", "51");
        assertSame(ResultState.FAILURE, result.state());
        assertSame(ResultState.FAILURE, result.getState());
        assertEquals("000321", result.paymentSTAN());
        assertEquals("tok", result.cardToken());
        assertEquals("tok", result.getCardToken());
        assertEquals("321", result.receiptNumber());
        assertEquals("05", result.returnCode());
        assertEquals("51", result.answerCode());
        assertNull(result.hashData());
        assertNull(result.getHashData());
        assertNull(result.trxReferenceNumber());
        Card card = result.card();
        assertEquals("4111******1111", card.pan());
        assertEquals("VISA", card.cardCircuit());
        assertNull(card.panHash());
        assertNull(card.getPanHash());
        assertTrue(card.toString(), card.toString().contains("VISA"));
        assertFalse(result.toString(), result.toString().contains("tok,"));
        assertNull(new PaymentResult(ResultState.SUCCESS, "1", null, false, null, null, null, null, null).getCard());

        PaymentAdministrationResult<String> administration = new PaymentAdministrationResult<>(ResultState.SUCCESS,
                "3", "Diagnosis", null, "29000001");
        assertEquals("29000001", administration.terminalId());
        assertEquals("29000001", administration.getTerminalId());
        assertNull(new PaymentAdministrationResult<>(ResultState.SUCCESS, "3", "AbortRequest", null).terminalId());
    }

    @Test
    @SuppressWarnings("deprecation")
    public void configDataIsTheApiResponseResultTypeAndTheOldNameStillCompiles() {
        List<ConfigData> received = new ArrayList<>();
        TerminalDelegate delegate = new TerminalDelegate() {
            @Override
            public void configData(ConfigData configData) {
                received.add(configData);
            }
        };
        new DelegateCallbacks("getConfig", delegate, NOW).onData(DelegateCallbacks.CONFIG_DATA,
                new String[] {"Language", "en"});
        assertEquals("en", received.get(0).get("Language"));
        ConfigData old = new eu.ccvlab.mapi.core.payment.ConfigData(Collections.singletonMap("a", "b"));
        assertEquals("b", old.getValues().get("a"));
    }

    @Test
    public void getStatusIsDeclaredOnTheInterfaceAndRecoveryTakesATerminalDelegate() throws Exception {
        assertEquals(void.class, TerminalApi.class.getMethod("getStatus", ExternalTerminal.class,
                TerminalDelegate.class).getReturnType());
        assertNotNull(TerminalApi.class.getMethod("recoverPayment", ExternalTerminal.class, String.class,
                TerminalDelegate.class));
        assertNotNull(TerminalApi.class.getMethod("repeatLastMessage", ExternalTerminal.class,
                TerminalDelegate.class));
        assertEquals(TerminalService.class, TerminalService.class.getMethod("getStatus", ExternalTerminal.class,
                TerminalDelegate.class).getDeclaringClass());
    }
}
