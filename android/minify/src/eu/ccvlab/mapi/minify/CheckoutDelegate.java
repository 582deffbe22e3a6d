package eu.ccvlab.mapi.minify;

import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * The app's delegate, shaped like the demo app's: one class for payments and token aborts. No keep rule names it,
 * so the shrinker renames it and its fields, and keeps only the callbacks the SDK can reach: whatever arrives here
 * arrived through the consumer rules alone.
 */
class CheckoutDelegate implements PaymentDelegate, TokenDelegate {
    private static final long WAIT_SECONDS = 20;

    private final BlockingQueue<Object[]> finals = new LinkedBlockingQueue<>();
    final List<String> displayLines = new CopyOnWriteArrayList<>();
    final List<PaymentReceipt> receipts = new CopyOnWriteArrayList<>();
    final List<ConfigData> configData = new CopyOnWriteArrayList<>();
    final AtomicInteger signatureQuestions = new AtomicInteger();
    private final boolean signatureApproved;

    CheckoutDelegate() {
        this(false);
    }

    CheckoutDelegate(boolean signatureApproved) {
        this.signatureApproved = signatureApproved;
    }

    @Override
    public void showTerminalOutputLines(List<TextLine> lines) {
        for (TextLine line : lines) {
            displayLines.add(line.text());
        }
    }

    @Override
    public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
        receipts.add(receipt);
    }

    @Override
    public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
        receipts.add(receipt);
    }

    @Override
    public void configData(ConfigData data) {
        configData.add(data);
    }

    @Override
    public void askCustomerSignature(Callback callback) {
        signatureQuestions.incrementAndGet();
        if (signatureApproved) {
            callback.onSuccess();
        } else {
            callback.onFailure();
        }
    }

    @Override
    public void onPaymentSuccess(PaymentResult result) {
        finals.add(new Object[] {"onPaymentSuccess", result});
    }

    @Override
    public void onPaymentError(PaymentResult result) {
        finals.add(new Object[] {"onPaymentError", result});
    }

    @Override
    public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
        finals.add(new Object[] {"onPaymentAdministrationSuccess", result});
    }

    @Override
    public void onError(Error error) {
        finals.add(new Object[] {"onError(Error)", error});
    }

    /** Records a final callback from a subclass. */
    void recordFinal(String method, Object argument) {
        finals.add(new Object[] {method, argument});
    }

    /**
     * Waits for the flow's final callback and checks which it was.
     *
     * @param method the expected callback, e.g. "onPaymentSuccess" or "onError(Error)"
     * @param type   its argument's type
     * @param <T>    its argument's type
     * @return its argument
     */
    <T> T await(String method, Class<T> type) {
        Object[] call;
        try {
            call = finals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + method);
        }
        if (call == null) {
            throw new AssertionError("no final callback within " + WAIT_SECONDS + " s, expected " + method);
        }
        if (!method.equals(call[0])) {
            throw new AssertionError("expected " + method + ", but the final callback was " + call[0] + ": "
                    + call[1]);
        }
        return type.cast(call[1]);
    }

    /** Exactly once: nothing arrived after the final callback that was awaited. */
    void assertNoMoreFinals() {
        assertTrue("a second final callback: " + finals.size(), finals.isEmpty());
    }
}
