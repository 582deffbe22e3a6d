package eu.ccvlab.mapi.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;

/**
 * One flow's {@link NativeCallbacks}: converts each native call into the public types and posts the delegate
 * call to the callback executor captured when the flow started, so the app never runs on the engine thread.
 *
 * <ul>
 * <li>A delegate that throws is logged and ignored; the SDK and the engine carry on.</li>
 * <li>The final callback is delivered at most once; a second final from native code is logged and dropped.</li>
 * <li>A question is answered exactly once: by the app through the {@link Callback}, or "no" when the delegate
 * cannot ask it (not a {@link PaymentDelegate}), throws without answering, or the executor refuses the task.</li>
 * <li>Nothing here throws back into native code.</li>
 * </ul>
 */
public final class DelegateCallbacks implements NativeCallbacks {
    private static final Logger LOG = Logger.getLogger("eu.ccvlab.mapi");

    private final String flow;
    private final TerminalDelegate delegate;
    private final Executor executor;
    private final AtomicBoolean finished = new AtomicBoolean();

    /**
     * Thread: any.
     *
     * @param flow     the flow's name, for logs ("payment", "abort"…)
     * @param delegate the app's delegate
     * @param executor where the delegate's methods run
     */
    public DelegateCallbacks(String flow, TerminalDelegate delegate, Executor executor) {
        this.flow = Objects.requireNonNull(flow, "flow must not be null");
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.executor = Objects.requireNonNull(executor, "executor must not be null");
    }

    /** {@inheritDoc} Posts the matching delegate call. */
    @Override
    public void onOutput(int target, String[] lines) {
        try {
            final List<TextLine> textLines = textLines(lines);
            switch (target) {
                case CASHIER_DISPLAY:
                    post("showTerminalOutputLines", () -> delegate.showTerminalOutputLines(textLines));
                    break;
                case CUSTOMER_DISPLAY:
                    if (delegate instanceof PaymentDelegate) {
                        PaymentDelegate payment = (PaymentDelegate) delegate;
                        final MainTextRequest mainText = new MainTextRequest(joined(lines));
                        final DisplayTextRequest display = new DisplayTextRequest(textLines);
                        post("showOnCustomerDisplay", () -> payment.showOnCustomerDisplay(mainText, display));
                    }
                    break;
                case MERCHANT_RECEIPT:
                    post("printMerchantReceiptAndSignature",
                            () -> delegate.printMerchantReceiptAndSignature(new PaymentReceipt(textLines)));
                    break;
                case CUSTOMER_RECEIPT:
                    post("printCustomerReceiptAndSignature",
                            () -> delegate.printCustomerReceiptAndSignature(new PaymentReceipt(textLines)));
                    break;
                case JOURNAL_RECEIPT:
                    post("printJournalReceipt", () -> delegate.printJournalReceipt(new PaymentReceipt(textLines)));
                    break;
                case E_JOURNAL:
                    final String journal = joined(lines);
                    post("storeEJournal", () -> delegate.storeEJournal(journal));
                    break;
                case DCC_OFFER:
                    if (delegate instanceof PaymentDelegate) {
                        PaymentDelegate payment = (PaymentDelegate) delegate;
                        post("printDccOffer", () -> payment.printDccOffer(new PaymentReceipt(textLines)));
                    }
                    break;
                case E_RECEIPT:
                    final EReceiptRequest receipt = new EReceiptRequest(joined(lines));
                    post("eReceipt", () -> delegate.eReceipt(receipt));
                    break;
                default:
                    LOG.info(flow + ": output for unknown target " + target + " ignored");
            }
        } catch (Throwable unexpected) {
            LOG.log(Level.SEVERE, flow + ": output callback failed", unexpected);
        }
    }

    /** {@inheritDoc} Asks the delegate on the callback executor; see the class comment for the answer rules. */
    @Override
    public void onAsk(int kind, long askHandle, String[] prompt) {
        final Answer answer = new Answer(flow, askHandle);
        try {
            final String question = joined(prompt);
            Runnable ask = () -> {
                try {
                    if (!(delegate instanceof PaymentDelegate)) {
                        LOG.warning(flow + ": terminal asked '" + question + "' but the delegate cannot answer; answering no");
                        answer.onFailure();
                    } else if (kind == ASK_CUSTOMER_IDENTIFICATION) {
                        ((PaymentDelegate) delegate).askCustomerIdentification(answer);
                    } else if (kind == ASK_CUSTOMER_SIGNATURE) {
                        ((PaymentDelegate) delegate).askCustomerSignature(answer);
                    } else if (kind == ASK_DELIVER_GOODS) {
                        ((PaymentDelegate) delegate).onDeliverGoodsOrServices(delivered -> {
                            if (delivered) {
                                answer.onSuccess();
                            } else {
                                answer.onFailure();
                            }
                        });
                    } else {
                        LOG.warning(flow + ": unknown question kind " + kind + " ('" + question + "'); answering no");
                        answer.onFailure();
                    }
                } catch (Throwable thrown) {
                    LOG.log(Level.WARNING, flow + ": the delegate threw while asked '" + question
                            + "'; answering no unless it answered", thrown);
                    answer.onFailure();
                }
            };
            executor.execute(ask);
        } catch (Throwable refused) {
            LOG.log(Level.SEVERE, flow + ": could not ask the delegate; answering no", refused);
            answer.onFailure();
        }
    }

    /** {@inheritDoc} Posts {@code onPaymentSuccess} or {@code onPaymentError}, once. */
    @Override
    public void onPaymentResult(boolean success, String result, String requestId, String amount, String currency,
            boolean recovered, String terminalId, String stan, String approvalCode, String cardCircuit,
            String maskedPan, String token, String receiptNumber, String returnCode, String actionCode) {
        try {
            if (!firstFinal("onPaymentResult(" + result + ")")) {
                return;
            }
            final PaymentResult paymentResult = new PaymentResult(ResultState.from(result), orEmpty(requestId),
                    money(amount, currency), recovered, terminalId, stan, approvalCode, cardCircuit, maskedPan, token,
                    receiptNumber, returnCode, actionCode);
            if (!(delegate instanceof PaymentDelegate)) {
                LOG.severe(flow + ": payment result for a delegate that is not a PaymentDelegate dropped: "
                        + paymentResult);
                return;
            }
            PaymentDelegate payment = (PaymentDelegate) delegate;
            if (success) {
                post("onPaymentSuccess", () -> payment.onPaymentSuccess(paymentResult));
            } else {
                post("onPaymentError", () -> payment.onPaymentError(paymentResult));
            }
        } catch (Throwable unexpected) {
            LOG.log(Level.SEVERE, flow + ": payment result callback failed", unexpected);
        }
    }

    /** {@inheritDoc} Posts {@code onPaymentAdministrationSuccess}, once. */
    @Override
    public void onAdministrationSuccess(String result, String requestId, String requestType, String[] data,
            String terminalId) {
        try {
            if (!firstFinal("onAdministrationSuccess(" + requestType + ")")) {
                return;
            }
            final List<String> values = data == null ? null
                    : Collections.unmodifiableList(new ArrayList<>(Arrays.asList(data)));
            final PaymentAdministrationResult<List<String>> administration = new PaymentAdministrationResult<>(
                    ResultState.from(result), orEmpty(requestId), requestType, values, terminalId);
            post("onPaymentAdministrationSuccess", () -> delegate.onPaymentAdministrationSuccess(administration));
        } catch (Throwable unexpected) {
            LOG.log(Level.SEVERE, flow + ": administration callback failed", unexpected);
        }
    }

    /** {@inheritDoc} Posts {@code configData} or {@code cardUID}. */
    @Override
    public void onData(int kind, String[] values) {
        try {
            String[] items = values == null ? new String[0] : values;
            switch (kind) {
                case CONFIG_DATA:
                    Map<String, String> config = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.length; i += 2) {
                        config.put(orEmpty(items[i]), orEmpty(items[i + 1]));
                    }
                    final ConfigData configData = new ConfigData(config);
                    post("configData", () -> delegate.configData(configData));
                    break;
                case CARD_UID:
                    final String uid = items.length > 0 ? orEmpty(items[0]) : "";
                    post("cardUID", () -> delegate.cardUID(uid));
                    break;
                default:
                    LOG.info(flow + ": data of unknown kind " + kind + " ignored");
            }
        } catch (Throwable unexpected) {
            LOG.log(Level.SEVERE, flow + ": data callback failed", unexpected);
        }
    }

    /** {@inheritDoc} Posts {@code onError}, once. */
    @Override
    public void onError(String mapiError, String result, String requestId, boolean recoveryNeeded, String detail) {
        try {
            if (!firstFinal("onError(" + mapiError + ", " + result + ")")) {
                return;
            }
            final Error error = error(mapiError, result, requestId, recoveryNeeded, detail);
            final MAPIError known = error.mapiError();
            if (known != null && !recoveryNeeded && delegate instanceof PaymentDelegate
                    && overridesMapiErrorCallback(delegate)) {
                PaymentDelegate payment = (PaymentDelegate) delegate;
                post("onError(MAPIError)", () -> payment.onError(known));
            } else {
                post("onError", () -> delegate.onError(error));
            }
        } catch (Throwable unexpected) {
            LOG.log(Level.SEVERE, flow + ": error callback failed", unexpected);
        }
    }

    /**
     * Ends the flow locally with {@code onError}, for failures found on the Java side (an operation not
     * supported yet). Thread: any; returns at once.
     *
     * @param mapiError the SDK's error, or null
     * @param detail    what happened
     */
    public void fail(MAPIError mapiError, String detail) {
        onError(mapiError == null ? null : mapiError.name(), null, null, false, detail);
    }

    /** @return the flow's name and delegate, for logs. Thread: any. */
    @Override
    public String toString() {
        return "DelegateCallbacks{" + flow + ", " + delegate.getClass().getName() + (finished.get() ? ", finished" : "")
                + "}";
    }

    static Error error(String mapiError, String result, String requestId, boolean recoveryNeeded, String detail) {
        MAPIError known = MAPIError.fromName(mapiError);
        String text = detail != null ? detail : (mapiError != null ? mapiError : "no detail");
        if (mapiError != null && known == null) {
            text = "[" + mapiError + "] " + text;
        }
        ResultState state = result != null ? ResultState.from(result) : ResultState.FAILURE;
        return new Error(known, state, requestId, recoveryNeeded, text);
    }

    /**
     * Whether the delegate's class declares its own {@code onError(MAPIError)} (rather than inheriting
     * {@code PaymentDelegate}'s empty default); see {@code PaymentDelegate.onError(MAPIError)} for the rule.
     */
    static boolean overridesMapiErrorCallback(TerminalDelegate delegate) {
        try {
            return delegate.getClass().getMethod("onError", MAPIError.class).getDeclaringClass() != PaymentDelegate.class;
        } catch (NoSuchMethodException | SecurityException unknown) {
            return false;
        }
    }

    private boolean firstFinal(String what) {
        if (finished.compareAndSet(false, true)) {
            return true;
        }
        LOG.severe(flow + ": native code delivered a second final callback " + what + "; dropped");
        return false;
    }

    private void post(String method, Runnable call) {
        try {
            executor.execute(() -> {
                try {
                    call.run();
                } catch (Throwable thrown) {
                    LOG.log(Level.WARNING, flow + ": the delegate's " + method + " threw; the SDK carries on", thrown);
                }
            });
        } catch (Throwable refused) {
            LOG.log(Level.SEVERE, flow + ": the callback executor refused " + method + "; callback lost", refused);
        }
    }

    private Money money(String amount, String currency) {
        if (amount == null || currency == null) {
            return null;
        }
        try {
            return new Money(new BigDecimal(amount), Currency.getInstance(currency));
        } catch (IllegalArgumentException unreadable) {
            LOG.warning(flow + ": amount '" + amount + " " + currency + "' from the terminal is unreadable; left out");
            return null;
        }
    }

    private static List<TextLine> textLines(String[] lines) {
        if (lines == null || lines.length == 0) {
            return Collections.emptyList();
        }
        List<TextLine> textLines = new ArrayList<>(lines.length);
        for (String line : lines) {
            textLines.add(new TextLine(orEmpty(line)));
        }
        return Collections.unmodifiableList(textLines);
    }

    private static String joined(String[] lines) {
        if (lines == null) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                text.append('\n');
            }
            text.append(orEmpty(lines[i]));
        }
        return text.toString();
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    /** The app's answer to one question: the first call wins and is sent to the terminal. */
    private static final class Answer implements Callback {
        private final String flow;
        private final long askHandle;
        private final AtomicBoolean answered = new AtomicBoolean();

        Answer(String flow, long askHandle) {
            this.flow = flow;
            this.askHandle = askHandle;
        }

        @Override
        public void onSuccess() {
            answer(true);
        }

        @Override
        public void onFailure() {
            answer(false);
        }

        private void answer(boolean yes) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            try {
                NativeEngine.answerAsk(askHandle, yes);
            } catch (IllegalStateException stale) {
                LOG.info(flow + ": the terminal no longer waits for this answer (" + stale.getMessage() + ")");
            }
        }
    }
}
