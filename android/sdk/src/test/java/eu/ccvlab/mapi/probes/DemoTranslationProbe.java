package eu.ccvlab.mapi.probes;

import java.math.BigDecimal;
import java.text.SimpleDateFormat;
import java.util.Currency;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.PaymentApi;
import eu.ccvlab.mapi.core.api.TerminalApi;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.LanguageCode;

/**
 * Probe of app A (kaplanerkan/CCV-Payment-App, a Kotlin app that calls itself a translation of CCV's demo; see
 * docs/api-provenance.md): fresh Java that uses the members A uses, the way A uses them (through the
 * {@link PaymentApi}/{@link TerminalApi} interfaces, delegates overriding every method A overrides, Kotlin property
 * reads as Java getters). Not A's code. {@code MAPI.initialize(Context)} is Android-only and not probed here.
 */
public final class DemoTranslationProbe {
    private final PaymentApi paymentService = new PaymentService();
    private final TerminalApi terminalService = new TerminalService();

    /** Values A keeps from an approved result for a later capture. */
    String keptToken;
    String keptHashData;
    String keptApprovalCode;
    Money keptAmount;

    /**
     * A's terminal: every builder setting A sets.
     *
     * @param ipAddress         the terminal's address
     * @param port              its port
     * @param compatibilityPort its compatibility port
     * @param type              OPI_DE or OPI_NL
     * @param socketMode        single or dual socket
     * @return the terminal
     */
    public static ExternalTerminal terminal(String ipAddress, int port, int compatibilityPort,
            ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode socketMode) {
        return terminalBuilder(ipAddress, port, compatibilityPort, type, socketMode).build();
    }

    /**
     * The builder behind {@link #terminal}, before {@code build()}.
     *
     * @param ipAddress         the terminal's address
     * @param port              its port
     * @param compatibilityPort its compatibility port
     * @param type              OPI_DE or OPI_NL
     * @param socketMode        single or dual socket
     * @return the builder
     */
    public static ExternalTerminal.Builder terminalBuilder(String ipAddress, int port, int compatibilityPort,
            ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode socketMode) {
        return ExternalTerminal.builder()
                .ipAddress(ipAddress)
                .port(port)
                .compatibilityPort(compatibilityPort)
                .socketMode(socketMode)
                .terminalType(type)
                .workstationId("CCV_PAYMENT_APP")
                .languageCode(LanguageCode.EN)
                .requestToken(true);
    }

    /**
     * What A's logger writes about a terminal: the enum names.
     *
     * @param terminal the terminal
     * @return "OPI_DE/SINGLE_SOCKET" and the like
     */
    public static String describe(ExternalTerminal terminal) {
        return terminal.terminalType().name() + "/" + terminal.socketMode().name();
    }

    static String posTimestamp() {
        return new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT).format(new Date());
    }

    static String describe(Payment payment) {
        return "type=" + payment.type() + " amount=" + payment.amount() + " requestId=" + payment.requestId()
                + " posTimestamp=" + payment.posTimestamp();
    }

    static String errorText(Error error) {
        MAPIError mapiError = error == null ? null : error.mapiError();
        String code = mapiError != null ? mapiError.name() : "UNKNOWN";
        String text = mapiError != null ? mapiError.description() : String.valueOf(error);
        return code + ": " + text;
    }

    /**
     * A sale of {@code euros} with a POS timestamp (A's helper flow).
     *
     * @param terminal the terminal
     * @param euros    the amount in major units
     * @param log      receives what the delegate saw
     */
    public void sale(ExternalTerminal terminal, String euros, ProbeLog log) {
        Payment.Builder paymentBuilder = Payment.builder();
        paymentBuilder.type(Payment.Type.SALE);
        paymentBuilder.amount(new Money(new BigDecimal(euros), Currency.getInstance("EUR")));
        paymentBuilder.posTimestamp(posTimestamp());
        Payment payment = paymentBuilder.build();
        log.add("start " + describe(payment));
        paymentService.payment(terminal, payment, paymentDelegate(log));
    }

    /**
     * A void without amount, with the transaction id when A has one.
     *
     * @param terminal      the terminal
     * @param transactionId the id, or null
     * @param log           receives what the delegate saw
     */
    public void voidLast(ExternalTerminal terminal, String transactionId, ProbeLog log) {
        Payment.Builder paymentBuilder = Payment.builder().type(Payment.Type.VOID).posTimestamp(posTimestamp());
        if (transactionId != null) {
            paymentBuilder.transactionId(transactionId);
        }
        Payment payment = paymentBuilder.build();
        log.add("start " + describe(payment));
        paymentService.payment(terminal, payment, paymentDelegate(log));
    }

    /**
     * A capture as A does it: a SALE with approval code and token of the reservation (either may be null).
     *
     * @param terminal the terminal
     * @param euros    the amount
     * @param log      receives what the delegate saw
     */
    public void capture(ExternalTerminal terminal, String euros, ProbeLog log) {
        Payment payment = Payment.builder()
                .type(Payment.Type.SALE)
                .amount(new Money(new BigDecimal(euros), Currency.getInstance("EUR")))
                .approvalCode(keptApprovalCode)
                .token(keptToken)
                .posTimestamp(posTimestamp())
                .build();
        paymentService.payment(terminal, payment, paymentDelegate(log));
    }

    /**
     * A reservation; A catches {@link UnsupportedOperationException} for protocols without one.
     *
     * @param terminal the terminal
     * @param euros    the amount
     * @param log      receives what the delegate saw
     */
    public void reservation(ExternalTerminal terminal, String euros, ProbeLog log) {
        Payment payment = Payment.builder().type(Payment.Type.RESERVATION)
                .amount(new Money(new BigDecimal(euros), Currency.getInstance("EUR"))).build();
        try {
            paymentService.reservation(terminal, payment, paymentDelegate(log));
        } catch (UnsupportedOperationException unsupported) {
            log.finish("unsupported", unsupported);
        }
    }

    /**
     * Stop payment (A's abort).
     *
     * @param terminal the terminal
     * @param log      receives what the delegate saw
     */
    public void abort(ExternalTerminal terminal, ProbeLog log) {
        paymentService.abort(terminal, terminalDelegate(log));
    }

    /**
     * A's terminal helper's status.
     *
     * @param terminal the terminal
     * @param log      receives what the delegate saw
     */
    public void status(ExternalTerminal terminal, ProbeLog log) {
        terminalService.status(terminal, terminalDelegate(log));
    }

    /**
     * The status screen's flow (A's flow handler calls {@code getStatus}).
     *
     * @param terminal the terminal
     * @param log      receives what the delegate saw
     */
    public void getStatus(ExternalTerminal terminal, ProbeLog log) {
        terminalService.getStatus(terminal, terminalDelegate(log));
    }

    /**
     * A's terminal helper: payment recovery through a plain TerminalDelegate.
     *
     * @param terminal         the terminal
     * @param paymentRequestId the payment's RequestID
     * @param log              receives what the delegate saw
     */
    public void recoverPayment(ExternalTerminal terminal, String paymentRequestId, ProbeLog log) {
        terminalService.recoverPayment(terminal, paymentRequestId, terminalDelegate(log));
    }

    /**
     * Repeat last message through a plain TerminalDelegate.
     *
     * @param terminal the terminal
     * @param log      receives what the delegate saw
     */
    public void repeatLastMessage(ExternalTerminal terminal, ProbeLog log) {
        terminalService.repeatLastMessage(terminal, terminalDelegate(log));
    }

    /**
     * The other administration calls A makes, one after the other is up to the caller.
     *
     * @param terminal the terminal
     * @param which    "startup", "activate", "lastTicket", "closing", "overview" or "reprintClosing"
     * @param shift    the shift number A passes with a closing reprint
     * @param log      receives what the delegate saw
     */
    public void administration(ExternalTerminal terminal, String which, int shift, ProbeLog log) {
        TerminalDelegate delegate = terminalDelegate(log);
        switch (which) {
            case "startup":
                terminalService.startup(terminal, delegate);
                break;
            case "activate":
                terminalService.activateTerminal(terminal, delegate);
                break;
            case "lastTicket":
                terminalService.retrieveLastTicket(terminal, delegate);
                break;
            case "closing":
                terminalService.periodClosing(terminal, delegate);
                break;
            case "overview":
                terminalService.transactionOverview(terminal, delegate);
                break;
            case "reprintClosing":
                terminalService.ticketReprintPeriodClosing(terminal.shiftNumber(shift), delegate);
                break;
            default:
                throw new IllegalArgumentException(which);
        }
    }

    private static String joined(PaymentReceipt receipt) {
        StringBuilder text = new StringBuilder();
        for (Object line : receipt.plainTextLines()) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(line.toString());
        }
        return text.toString();
    }

    private static String lines(List<TextLine> lines) {
        StringBuilder text = new StringBuilder();
        if (lines != null) {
            for (TextLine line : lines) {
                String value = line.text();
                text.append(value != null ? value : "").append(' ');
            }
        }
        return text.toString().trim();
    }

    /**
     * A's payment delegate: the fourteen methods A overrides.
     *
     * @param log receives what the delegate saw
     * @return the delegate
     */
    public PaymentDelegate paymentDelegate(ProbeLog log) {
        return new PaymentDelegate() {
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                log.add("cashier: " + lines(lines));
            }

            @Override
            public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
                log.add("merchant receipt:\n" + joined(receipt));
            }

            @Override
            public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
                log.add("customer receipt:\n" + joined(receipt));
            }

            @Override
            public void printDccOffer(PaymentReceipt receipt) {
                log.add("dcc offer:\n" + joined(receipt));
            }

            @Override
            public void onPaymentSuccess(PaymentResult result) {
                keptToken = nonEmpty(result.token());
                keptHashData = nonEmpty(result.hashData());
                keptApprovalCode = nonEmpty(result.approvalCode());
                Money amount = result.amount();
                keptAmount = amount == null ? null : new Money(amount.getValue(), amount.getCurrency());
                log.finish("success: " + result, result);
            }

            @Override
            public void onError(Error error) {
                log.finish("error: " + errorText(error), error);
            }

            @Override
            public void drawCustomerSignature(CustomerSignatureCallback callback) {
                log.add("draw signature");
                callback.signature(new byte[100]);
            }

            @Override
            public void askCustomerIdentification(Callback callback) {
                log.add("identification asked");
                callback.proceed();
            }

            @Override
            public void askCustomerSignature(Callback callback) {
                log.add("customer signature asked");
                callback.proceed();
            }

            @Override
            public void askMerchantSignature(Callback callback) {
                log.add("merchant signature asked");
                callback.proceed();
            }

            @Override
            public void eReceipt(EReceiptRequest eReceiptRequest) {
                log.add("e-receipt: " + eReceiptRequest);
            }

            @Override
            public void printJournalReceipt(PaymentReceipt receipt) {
                log.add("journal receipt:\n" + joined(receipt));
            }

            @Override
            public void storeEJournal(String journal) {
                log.add("e-journal");
            }

            @Override
            public void showOnCustomerDisplay(MainTextRequest mainText, DisplayTextRequest subText) {
                log.add("customer: " + mainText.text());
            }
        };
    }

    /**
     * A's terminal delegate: all ten methods.
     *
     * @param log receives what the delegate saw
     * @return the delegate
     */
    public TerminalDelegate terminalDelegate(ProbeLog log) {
        return new TerminalDelegate() {
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                log.add("cashier: " + lines(lines));
            }

            @Override
            public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
                log.add("merchant receipt:\n" + joined(receipt));
            }

            @Override
            public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
                log.add("customer receipt:\n" + joined(receipt));
            }

            @Override
            public void printJournalReceipt(PaymentReceipt receipt) {
                log.add("journal receipt:\n" + joined(receipt));
            }

            @Override
            public void storeEJournal(String journal) {
                log.add("e-journal");
            }

            @Override
            public void configData(ConfigData configData) {
                log.add("config: " + configData);
            }

            @Override
            public void eReceipt(EReceiptRequest eReceiptRequest) {
                log.add("e-receipt: " + eReceiptRequest);
            }

            @Override
            public void cardUID(String uid) {
                log.add("card uid: " + uid);
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
                String terminalId = result.terminalId();
                log.finish("administration: " + result + " terminalId=" + terminalId, result);
            }

            @Override
            public void onError(Error error) {
                log.finish("error: " + errorText(error), error);
            }
        };
    }

    private static String nonEmpty(String value) {
        return value != null && !value.isEmpty() ? value : null;
    }
}
