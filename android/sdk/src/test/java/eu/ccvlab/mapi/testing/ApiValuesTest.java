package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.List;

import org.junit.Test;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.LanguageCode;
import eu.ccvlab.mapi.internal.NativeTerminal;

/** The public values and their mapping to the native view; plain Java, no native library needed. */
public class ApiValuesTest {

    @Test
    public void resultStateParsesEveryOpiOverallResultIgnoringCase() {
        String[][] cases = {{"Success", "SUCCESS"}, {"Failure", "FAILURE"}, {"PartialFailure", "PARTIAL_FAILURE"},
            {"DeviceUnavailable", "DEVICE_UNAVAILABLE"}, {"TimedOut", "TIMED_OUT"}, {"Aborted", "ABORTED"},
            {"FormatError", "FORMAT_ERROR"}, {"ParsingError", "PARSING_ERROR"},
            {"ValidationError", "VALIDATION_ERROR"}, {"MissingMandatoryData", "MISSING_MANDATORY_DATA"},
            {"Busy", "BUSY"}, {"success", "SUCCESS"}, {"PARTIALFAILURE", "PARTIAL_FAILURE"},
            {"timed_out", "TIMED_OUT"}, {"LoggedOut", "UNKNOWN"}, {"CommunicationError", "UNKNOWN"},
            {"", "UNKNOWN"}, {"NotSupported", "UNKNOWN"}};
        for (String[] c : cases) {
            assertEquals(c[0], ResultState.valueOf(c[1]), ResultState.from(c[0]));
        }
        assertEquals(ResultState.UNKNOWN, ResultState.from(null));
    }

    @Test
    public void mapiErrorHasCcvsConstants() {
        List<String> names = new ArrayList<>();
        for (MAPIError error : MAPIError.values()) {
            names.add(error.name());
        }
        assertEquals(Arrays.asList("FLOW_ALREADY_HAPPENING", "TERMINAL_CONNECTION_LOST",
                "FAILED_TO_CONNECT_TO_TERMINAL", "RESPONSE_TIMEOUT", "AUTH_AND_CAP_FLOW_NOT_SUPPORTED",
                "RECEIVED_UNKNOWN_MESSAGE_FROM_TERMINAL", "VOID_SPECIFIC_SALE_NOT_SUPPORTED", "NOT_A_FLOW_HAPPENING",
                "SECONDARY_FLOW_ALREADY_HAPPENING", "RECOVERY_PENDING", "PAYMENT_PENDING_RECOVERY"), names);
        assertSame(MAPIError.RESPONSE_TIMEOUT, MAPIError.fromName("RESPONSE_TIMEOUT"));
        assertNull(MAPIError.fromName("SOMETHING_NEWER"));
        assertNull(MAPIError.fromName(null));
    }

    @Test
    public void externalTerminalDefaultsFollowTheTerminalType() {
        ExternalTerminal nl = ExternalTerminal.builder().ipAddress("10.0.0.5").build();
        assertEquals(ExternalTerminal.TerminalType.OPI_NL, nl.terminalType());
        assertEquals(4100, nl.port());
        assertEquals(4102, nl.compatibilityPort());
        assertEquals(ExternalTerminal.SocketMode.DUAL_SOCKET, nl.socketMode());
        assertEquals("POS1", nl.workstationId());
        assertEquals(LanguageCode.EN, nl.languageCode());
        assertEquals(0, nl.responseTimeoutMillis());

        ExternalTerminal de = ExternalTerminal.builder().ipAddress("10.0.0.6")
                .terminalType(ExternalTerminal.TerminalType.OPI_DE).build();
        assertEquals(20002, de.getPort());
        assertEquals(20007, de.getCompatibilityPort());
        assertEquals(ExternalTerminal.SocketMode.SINGLE_SOCKET, de.getSocketMode());

        ExternalTerminal custom = de.toBuilder().port(5000).compatibilityPort(0)
                .socketMode(ExternalTerminal.SocketMode.DUAL_SOCKET).workstationId("LANE7")
                .languageCode(LanguageCode.DE).mode(ExternalTerminal.Mode.UNATTENDED).requestToken(true)
                .connectTimeoutMillis(1).abortTimeoutMillis(2).responseTimeoutMillis(3).build();
        assertEquals(custom, custom.toBuilder().build());
        assertEquals(custom.hashCode(), custom.toBuilder().build().hashCode());
        assertTrue(custom.toString(), custom.toString().contains("10.0.0.6:5000"));
        assertEquals("de", custom.languageCode().code());
    }

    @Test
    public void externalTerminalBuilderRejectsNonsense() {
        assertThrows(NullPointerException.class, () -> ExternalTerminal.builder().build());
        assertThrows(NullPointerException.class, () -> ExternalTerminal.builder().ipAddress(null));
        assertThrows(IllegalArgumentException.class, () -> ExternalTerminal.builder().port(0));
        assertThrows(IllegalArgumentException.class, () -> ExternalTerminal.builder().port(65536));
        assertThrows(IllegalArgumentException.class, () -> ExternalTerminal.builder().compatibilityPort(-1));
        assertThrows(IllegalArgumentException.class, () -> ExternalTerminal.builder().responseTimeoutMillis(-1));
    }

    @Test
    public void nativeTerminalCarriesEverySettingAndTheStateDirectory() {
        ExternalTerminal terminal = ExternalTerminal.builder().ipAddress("10.0.0.7")
                .terminalType(ExternalTerminal.TerminalType.OPI_DE).socketMode(ExternalTerminal.SocketMode.DUAL_SOCKET)
                .port(20002).compatibilityPort(0).workstationId("LANE2").languageCode(LanguageCode.FR)
                .connectTimeoutMillis(1500).abortTimeoutMillis(2500).responseTimeoutMillis(3500).build();
        NativeTerminal flat = NativeTerminal.from(terminal);
        assertEquals("10.0.0.7", flat.ipAddress);
        assertEquals(20002, flat.port);
        assertEquals(0, flat.compatibilityPort);
        assertEquals(1, flat.dialect);
        assertEquals(0, flat.socketMode);
        assertEquals("LANE2", flat.workstationId);
        assertEquals("fr", flat.languageCode);
        assertEquals(1500, flat.connectTimeoutMillis);
        assertEquals(2500, flat.abortTimeoutMillis);
        assertEquals(3500, flat.responseTimeoutMillis);
        assertNull(flat.stateDirectory);

        NativeTerminal nl = NativeTerminal.from(ExternalTerminal.builder().ipAddress("h").build());
        assertEquals(0, nl.dialect);
        assertEquals(0, nl.socketMode);
        NativeTerminal single = NativeTerminal.from(ExternalTerminal.builder().ipAddress("h")
                .socketMode(ExternalTerminal.SocketMode.SINGLE_SOCKET).build());
        assertEquals(1, single.socketMode);

        File directory = new File("relative-state-dir");
        try {
            MapiConfig.setStateDirectory(directory);
            assertEquals(directory.getAbsolutePath(), NativeTerminal.from(terminal).stateDirectory);
        } finally {
            MapiConfig.setStateDirectory(null);
        }
    }

    @Test
    public void moneyKeepsTheAmountAsGivenEvenNegative() {
        Money negative = new Money(new BigDecimal("-0.10"), Currency.getInstance("EUR"));
        assertEquals("-0.10", negative.value().toPlainString());
        Payment refund = Payment.builder().type(Payment.Type.REFUND).amount(negative).build();
        assertEquals(negative, refund.getAmount());
        assertEquals(Payment.Type.SALE, Payment.builder().amount(negative).build().type());
        assertEquals("1E+3", new BigDecimal("1E+3").toString());
        assertEquals("1000", new Money(new BigDecimal("1E+3"), Currency.getInstance("EUR")).value().toPlainString());
        assertThrows(NullPointerException.class, () -> Payment.builder().build());
        assertThrows(NullPointerException.class, () -> new Money(null, Currency.getInstance("EUR")));
    }

    @Test
    public void errorReadsWellInSupportLogs() {
        Error error = new Error(MAPIError.RESPONSE_TIMEOUT, ResultState.FAILURE, "42", true,
                "no answer from the terminal within 120s");
        String text = error.toString();
        assertTrue(text, text.contains("RESPONSE_TIMEOUT"));
        assertTrue(text, text.contains("42"));
        assertTrue(text, text.contains("recoveryNeeded"));
        assertTrue(text, text.contains("no answer from the terminal within 120s"));
        assertEquals(error.mapiError(), error.getMapiError());
        assertEquals(error.resultState(), error.getResultState());
        assertTrue(error.isRecoveryNeeded());
    }

    @Test
    public void receiptsGiveTheirPlainText() {
        PaymentReceipt receipt = new PaymentReceipt(Arrays.asList(new TextLine("  CCV"), new TextLine("EUR 12.50")));
        assertEquals(Arrays.asList("  CCV", "EUR 12.50"), receipt.plainTextLines());
        assertEquals("EUR 12.50", receipt.getLines().get(1).getText());
    }

    @Test
    public void defaultQuestionsAnswerNoAndOtherDefaultsDoNothing() {
        PaymentDelegate delegate = new PaymentDelegate() {
        };
        final List<String> answers = new ArrayList<>();
        Callback callback = new Callback() {
            @Override
            public void onSuccess() {
                answers.add("yes");
            }

            @Override
            public void onFailure() {
                answers.add("no");
            }
        };
        delegate.askCustomerSignature(callback);
        delegate.askCustomerIdentification(callback);
        delegate.askMerchantSignature(callback);
        delegate.onDeliverGoodsOrServices(delivered -> answers.add(delivered ? "yes" : "no"));
        delegate.drawCustomerSignature(new CustomerSignatureCallback() {
            @Override
            public void onSignature(byte[] signatureImage) {
                answers.add("signature");
            }

            @Override
            public void onFailure() {
                answers.add("no signature");
            }
        });
        assertEquals(Arrays.asList("no", "no", "no", "no", "no signature"), answers);

        delegate.showTerminalOutputLines(Collections.<TextLine>emptyList());
        delegate.showOnCustomerDisplay(new MainTextRequest(""), new DisplayTextRequest(Collections.<TextLine>emptyList()));
        delegate.printMerchantReceiptAndSignature(new PaymentReceipt(Collections.<TextLine>emptyList()));
        delegate.storeEJournal("");
        delegate.onPaymentAdministrationSuccess(null);
        delegate.onError((Error) null);
        delegate.onError((MAPIError) null);
        delegate.onPaymentSuccess(null);
        delegate.onPaymentError(null);
    }

    /** The seed page overrides with the raw type; that must override (not overload) the interface method. */
    @Test
    @SuppressWarnings("rawtypes")
    public void aRawPaymentAdministrationResultOverrideIsCalled() {
        final List<Object> seen = new ArrayList<>();
        TerminalDelegate delegate = new TerminalDelegate() {
            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                seen.add(result);
            }
        };
        PaymentAdministrationResult<String> result = new PaymentAdministrationResult<>(ResultState.SUCCESS, "7",
                "AbortRequest", "data");
        delegate.onPaymentAdministrationSuccess(result);
        assertEquals(Collections.<Object>singletonList(result), seen);
        assertEquals("data", result.data());
    }
}
