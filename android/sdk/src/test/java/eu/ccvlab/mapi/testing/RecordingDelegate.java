package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * A delegate of every kind that records each callback with the thread it ran on, and lets a test wait for
 * final callbacks (BlockingQueue with a timeout as the failure guard; no sleeps).
 */
public class RecordingDelegate implements PaymentDelegate, TokenDelegate {

    /** One callback as the app saw it. */
    public static final class Call {
        /** The delegate method's name. */
        public final String method;
        /** Its argument (lines, receipt, result, error…), or null. */
        public final Object argument;
        /** The thread it ran on. */
        public final String thread;

        Call(String method, Object argument) {
            this.method = method;
            this.argument = argument;
            this.thread = Thread.currentThread().getName();
        }

        /** @return whether this call ends a flow */
        public boolean isFinal() {
            return method.equals("onPaymentSuccess") || method.equals("onPaymentError")
                    || method.equals("onPaymentAdministrationSuccess") || method.equals("onError");
        }

        @Override
        public String toString() {
            return method + "(" + argument + ")@" + thread;
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final BlockingQueue<Call> finals = new LinkedBlockingQueue<>();
    private final Boolean signatureAnswer;

    /** A recorder that leaves the terminal's questions to the interface defaults ("no"). */
    public RecordingDelegate() {
        this(null);
    }

    /** @param signatureAnswer how to answer the signature and identification questions; null = the interface default */
    public RecordingDelegate(Boolean signatureAnswer) {
        this.signatureAnswer = signatureAnswer;
    }

    private void record(String method, Object argument) {
        Call call = new Call(method, argument);
        synchronized (calls) {
            calls.add(call);
        }
        if (call.isFinal()) {
            finals.add(call);
        }
    }

    /** @return every call so far */
    public List<Call> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    /** @return every final call so far */
    public List<Call> finalCalls() {
        List<Call> result = new ArrayList<>();
        for (Call call : calls()) {
            if (call.isFinal()) {
                result.add(call);
            }
        }
        return result;
    }

    /** @return every cashier display line so far */
    public List<String> displayLines() {
        List<String> lines = new ArrayList<>();
        for (Call call : calls()) {
            if (call.method.equals("showTerminalOutputLines")) {
                for (Object line : (List<?>) call.argument) {
                    lines.add(((TextLine) line).text());
                }
            }
        }
        return lines;
    }

    /**
     * @param method a delegate method's name
     * @return the arguments of every call of it so far
     */
    public List<Object> arguments(String method) {
        List<Object> arguments = new ArrayList<>();
        for (Call call : calls()) {
            if (call.method.equals(method)) {
                arguments.add(call.argument);
            }
        }
        return arguments;
    }

    /** @return the next final callback; fails the test after {@link SimulatedTerminal#WAIT_MILLIS} */
    public Call awaitFinal() {
        try {
            Call call = finals.poll(SimulatedTerminal.WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (call == null) {
                fail("no final callback within " + SimulatedTerminal.WAIT_MILLIS + " ms; calls so far: " + calls());
            }
            return call;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", interrupted);
        }
    }

    private Call awaitFinal(String method) {
        Call call = awaitFinal();
        assertEquals("final callback; all calls: " + calls(), method, call.method);
        return call;
    }

    /** @return the payment result of the awaited {@code onPaymentSuccess} */
    public PaymentResult awaitPaymentSuccess() {
        return (PaymentResult) awaitFinal("onPaymentSuccess").argument;
    }

    /** @return the payment result of the awaited {@code onPaymentError} */
    public PaymentResult awaitPaymentError() {
        return (PaymentResult) awaitFinal("onPaymentError").argument;
    }

    /** @return the result of the awaited {@code onPaymentAdministrationSuccess} */
    public PaymentAdministrationResult<?> awaitAdministrationSuccess() {
        return (PaymentAdministrationResult<?>) awaitFinal("onPaymentAdministrationSuccess").argument;
    }

    /** @return the error of the awaited {@code onError} */
    public Error awaitError() {
        return (Error) awaitFinal("onError").argument;
    }

    /**
     * Awaits {@code onError} with {@code expected} as its MAPIError.
     *
     * @param expected the MAPIError
     * @return the error
     */
    public Error awaitError(MAPIError expected) {
        Error error = awaitError();
        assertEquals("error: " + error, expected, error.mapiError());
        return error;
    }

    /**
     * Proves that no further final callback is queued: waits until every task posted to the callback executor
     * so far has run, then checks that exactly {@code expected} final callbacks arrived in total.
     *
     * @param expected how many final callbacks this delegate must have seen
     */
    public void assertFinalCount(int expected) {
        drainCallbackExecutor();
        assertEquals("final callbacks: " + finalCalls(), expected, finalCalls().size());
    }

    /** Every callback must have run on a thread named {@code threadName}. */
    public void assertAllOnThread(String threadName) {
        for (Call call : calls()) {
            assertEquals("thread of " + call, threadName, call.thread);
        }
    }

    /** Waits until every task posted to the current callback executor so far has run. */
    public static void drainCallbackExecutor() {
        Executor executor = MapiConfig.getCallbackExecutor();
        CountDownLatch drained = new CountDownLatch(1);
        executor.execute(drained::countDown);
        try {
            assertTrue("callback executor did not drain", drained.await(SimulatedTerminal.WAIT_MILLIS,
                    TimeUnit.MILLISECONDS));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", interrupted);
        }
    }

    /** The terminal's error must be a refusal by the terminal, not the SDK's. */
    public static void assertTerminalRefusal(Error error) {
        assertNull("mapiError of " + error, error.mapiError());
        assertNotNull(error.detail());
    }

    @Override
    public void showTerminalOutputLines(List<TextLine> lines) {
        record("showTerminalOutputLines", lines);
    }

    @Override
    public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
        record("printMerchantReceiptAndSignature", receipt);
    }

    @Override
    public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
        record("printCustomerReceiptAndSignature", receipt);
    }

    @Override
    public void printJournalReceipt(PaymentReceipt receipt) {
        record("printJournalReceipt", receipt);
    }

    @Override
    public void storeEJournal(String journal) {
        record("storeEJournal", journal);
    }

    @Override
    public void printDccOffer(PaymentReceipt receipt) {
        record("printDccOffer", receipt);
    }

    @Override
    public void eReceipt(EReceiptRequest request) {
        record("eReceipt", request);
    }

    @Override
    public void configData(ConfigData configData) {
        record("configData", configData);
    }

    @Override
    public void cardUID(String uid) {
        record("cardUID", uid);
    }

    @Override
    public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
        record("onPaymentAdministrationSuccess", result);
    }

    @Override
    public void onError(Error error) {
        record("onError", error);
    }

    @Override
    public void showOnCustomerDisplay(MainTextRequest mainText, DisplayTextRequest lines) {
        record("showOnCustomerDisplay", lines.lines());
    }

    @Override
    public void askCustomerSignature(Callback callback) {
        record("askCustomerSignature", null);
        if (signatureAnswer == null) {
            PaymentDelegate.super.askCustomerSignature(callback);
        } else {
            answer(callback);
        }
    }

    @Override
    public void askCustomerIdentification(Callback callback) {
        record("askCustomerIdentification", null);
        if (signatureAnswer == null) {
            PaymentDelegate.super.askCustomerIdentification(callback);
        } else {
            answer(callback);
        }
    }

    private void answer(Callback callback) {
        if (signatureAnswer) {
            callback.onSuccess();
        } else {
            callback.onFailure();
        }
    }

    @Override
    public void onPaymentSuccess(PaymentResult result) {
        record("onPaymentSuccess", result);
    }

    @Override
    public void onPaymentError(PaymentResult result) {
        record("onPaymentError", result);
    }
}
