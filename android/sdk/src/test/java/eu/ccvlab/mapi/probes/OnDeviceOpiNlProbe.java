package eu.ccvlab.mapi.probes;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.DeliveryBoxCallback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.RequestType;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Card;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * Probe of app P (malikwaqas077/PintoAndroid, a Kotlin payment manager for on-device OPI-NL; see
 * docs/api-provenance.md): fresh Java that uses the members P uses, the way P uses them (on-device terminal
 * with {@code Mode.COMPATIBLE}, its own numeric requestId, addressed refunds, a delegate overriding exactly the
 * five methods P overrides, Kotlin property reads as Java getters). Not P's code.
 */
public final class OnDeviceOpiNlProbe {

    /** What P keeps from a result. */
    public static final class Kept {
        /** {@code getCard().getPanHash()}. */
        public String panHash;
        /** {@code getToken()} else {@code cardToken()}. */
        public String token;
        /** {@code getCard().getPan()}. */
        public String pan;
        /** {@code getApprovalCode()}. */
        public String approvalCode;
        /** {@code getTrxReferenceNumber()}. */
        public String trxReferenceNumber;
        /** {@code getReceiptNumber()}. */
        public String receiptNumber;
        /** {@code getPaymentSTAN()}. */
        public String paymentStan;
        /** The amount in minor units. */
        public Long minorUnits;
        /** {@code getAmount().getCurrency().getCurrencyCode()}. */
        public String currencyCode;
        /** {@code state()} as text. */
        public String state;
        /** The decline text: answer code, else return code, else "Declined". */
        public String declineText;
    }

    /**
     * P's classpath probe: which of the three class names it checks load.
     *
     * @return the names that loaded
     */
    public static List<String> sdkClassesPresent() {
        List<String> present = new ArrayList<>();
        for (String name : new String[] {"eu.ccvlab.api_android.MAPI", "eu.ccvlab.mapi.api.PaymentService",
                "eu.ccvlab.mapi.core.payment.Payment"}) {
            try {
                Class.forName(name);
                present.add(name);
            } catch (Throwable absent) {
                // P treats the SDK as optional.
            }
        }
        return present;
    }

    /**
     * P's on-device terminal builder (P uses 127.0.0.1, 4100 and 4102).
     *
     * @param ipAddress         the address
     * @param port              the port
     * @param compatibilityPort the compatibility port
     * @return the builder, as P sets it up
     */
    public static ExternalTerminal.Builder terminalBuilder(String ipAddress, int port, int compatibilityPort) {
        return ExternalTerminal.builder()
                .ipAddress(ipAddress)
                .port(port)
                .compatibilityPort(compatibilityPort)
                .mode(ExternalTerminal.Mode.COMPATIBLE)
                .socketMode(ExternalTerminal.SocketMode.DUAL_SOCKET)
                .terminalType(ExternalTerminal.TerminalType.OPI_NL);
    }

    /**
     * P's requestId: the trailing digits of its own reference (at most 9), else the clock modulo 10^9.
     *
     * @param reference the app's reference
     * @return a numeric string of at most 9 digits
     */
    public static String requestIdFor(String reference) {
        StringBuilder digits = new StringBuilder();
        for (int i = reference.length() - 1; i >= 0 && digits.length() < 9; i--) {
            char c = reference.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            digits.insert(0, c);
        }
        return digits.length() > 0 ? digits.toString() : Long.toString(System.currentTimeMillis() % 1_000_000_000L);
    }

    static Money money(String major, String currency) {
        return new Money(new BigDecimal(major).setScale(2, RoundingMode.HALF_UP), Currency.getInstance(currency));
    }

    /**
     * A sale.
     *
     * @param terminal  the terminal
     * @param major     amount in major units
     * @param currency  ISO code
     * @param reference the app's reference (becomes requestId and merchantReference)
     * @param kept      filled from the result
     * @param log       receives what the delegate saw
     */
    public void sale(ExternalTerminal terminal, String major, String currency, String reference, Kept kept,
            ProbeLog log) {
        Payment.Builder builder = Payment.builder()
                .type(Payment.Type.SALE)
                .amount(money(major, currency))
                .requestId(requestIdFor(reference));
        if (!reference.isEmpty() && reference.length() <= 100) {
            builder.merchantReference(reference);
        }
        Payment payment = builder.build();
        log.add("start " + payment.type().name());
        new PaymentService().payment(terminal, payment, delegate(kept, log));
    }

    /**
     * A refund addressed as P does: by the sale's numeric receipt number, else by its approval code.
     *
     * @param terminal      the terminal
     * @param major         amount in major units
     * @param currency      ISO code
     * @param receiptNumber the sale's receipt number, or null
     * @param approvalCode  the sale's approval code, or null
     * @param kept          filled from the result
     * @param log           receives what the delegate saw
     */
    public void refund(ExternalTerminal terminal, String major, String currency, String receiptNumber,
            String approvalCode, Kept kept, ProbeLog log) {
        Payment.Builder builder = Payment.builder().type(Payment.Type.REFUND).amount(money(major, currency));
        Integer reference = null;
        try {
            reference = receiptNumber == null ? null : Integer.valueOf(receiptNumber);
        } catch (NumberFormatException notNumeric) {
            reference = null;
        }
        if (reference != null) {
            builder.referenceNumber(reference);
        } else if (approvalCode != null) {
            builder.approvalCode(approvalCode).originalTransactionRequestType(RequestType.CARD_PAYMENT);
        }
        new PaymentService().payment(terminal, builder.build(), delegate(kept, log));
    }

    private static void keep(PaymentResult result, Kept kept) {
        Card card = result.getCard();
        kept.panHash = card != null ? card.getPanHash() : null;
        kept.pan = card != null ? card.getPan() : null;
        kept.token = result.getToken() != null ? result.getToken() : result.cardToken();
        kept.approvalCode = result.getApprovalCode();
        kept.trxReferenceNumber = result.getTrxReferenceNumber();
        kept.receiptNumber = result.getReceiptNumber();
        kept.paymentStan = result.getPaymentSTAN();
        Money amount = result.getAmount();
        kept.minorUnits = amount != null && amount.getValue() != null
                ? amount.getValue().multiply(new BigDecimal(100)).longValue() : null;
        kept.currencyCode = amount != null && amount.getCurrency() != null ? amount.getCurrency().getCurrencyCode()
                : null;
        kept.state = String.valueOf(result.state());
    }

    /**
     * P's delegate: exactly the five methods P overrides.
     *
     * @param kept filled from the result
     * @param log  receives what the delegate saw
     * @return the delegate
     */
    public PaymentDelegate delegate(Kept kept, ProbeLog log) {
        return new PaymentDelegate() {
            @Override
            public void onPaymentSuccess(PaymentResult result) {
                keep(result, kept);
                log.finish("approved", result);
            }

            @Override
            public void onPaymentError(PaymentResult result) {
                keep(result, kept);
                String answer = result.getAnswerCode();
                String returned = result.getReturnCode();
                kept.declineText = answer != null ? answer
                        : returned != null && !returned.trim().isEmpty() ? returned : "Declined";
                log.finish("declined " + kept.declineText, result);
            }

            @Override
            public void onError(Error error) {
                log.finish("error " + error, error);
            }

            @Override
            public void onError(MAPIError error) {
                log.finish("mapi error " + error, error);
            }

            @Override
            public void onDeliverGoodsOrServices(DeliveryBoxCallback callback) {
                log.add("delivery box");
                callback.proceed(true);
            }
        };
    }
}
