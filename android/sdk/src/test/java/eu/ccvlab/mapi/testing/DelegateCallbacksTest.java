package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.junit.Test;

import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.internal.DelegateCallbacks;

/**
 * The adapter native code calls, driven directly (as the engine thread would) with an executor that queues
 * tasks so the test controls when they run. Plain Java: no native library needed.
 */
public class DelegateCallbacksTest {

    /** Queues tasks; {@link #runAll()} runs them on the test thread. */
    private static final class QueueExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        int runAll() {
            int ran = 0;
            while (!tasks.isEmpty()) {
                tasks.remove(0).run();
                ran++;
            }
            return ran;
        }
    }

    @Test
    public void nothingReachesTheDelegateBeforeTheExecutorRunsIt() {
        QueueExecutor executor = new QueueExecutor();
        RecordingDelegate delegate = new RecordingDelegate();
        DelegateCallbacks callbacks = new DelegateCallbacks("payment", delegate, executor);
        callbacks.onOutput(DelegateCallbacks.CASHIER_DISPLAY, new String[] {"EUR 12.50", "Present card"});
        callbacks.onOutput(DelegateCallbacks.CUSTOMER_DISPLAY, new String[] {"Welcome"});
        callbacks.onOutput(DelegateCallbacks.MERCHANT_RECEIPT, new String[] {"  Amount  EUR 12.50", null});
        callbacks.onOutput(DelegateCallbacks.CUSTOMER_RECEIPT, new String[] {"customer"});
        callbacks.onOutput(DelegateCallbacks.JOURNAL_RECEIPT, new String[] {"journal"});
        callbacks.onOutput(DelegateCallbacks.E_JOURNAL, new String[] {"line 1\nline 2"});
        callbacks.onOutput(99, new String[] {"ignored"});
        callbacks.onPaymentResult(true, "Success", "17", "12.50", "EUR", false, "29000001", "000123", "A1",
                "MASTERCARD", "541333******4444", null, "0042", "00", "000");
        assertTrue(delegate.calls().isEmpty());
        assertEquals(7, executor.runAll());

        assertEquals(Arrays.asList("EUR 12.50", "Present card"), delegate.displayLines());
        assertEquals(Arrays.asList(new TextLine("Welcome")), delegate.arguments("showOnCustomerDisplay").get(0));
        assertEquals(Arrays.asList("  Amount  EUR 12.50", ""),
                ((PaymentReceipt) delegate.arguments("printMerchantReceiptAndSignature").get(0)).plainTextLines());
        assertEquals(1, delegate.arguments("printCustomerReceiptAndSignature").size());
        assertEquals(1, delegate.arguments("printJournalReceipt").size());
        assertEquals("line 1\nline 2", delegate.arguments("storeEJournal").get(0));
        PaymentResult result = (PaymentResult) delegate.arguments("onPaymentSuccess").get(0);
        assertEquals(ResultState.SUCCESS, result.resultState());
        assertEquals("17", result.requestId());
        assertEquals(new BigDecimal("12.50"), result.amount().value());
        assertEquals("EUR", result.amount().currency().getCurrencyCode());
        assertEquals("000123", result.stan());
        assertEquals("A1", result.approvalCode());
        assertEquals("0042", result.getReceiptNumber());
        assertEquals("00", result.getReturnCode());
        assertEquals("000", result.getAnswerCode());
        assertEquals("000123", result.getPaymentSTAN());
        assertEquals("541333******4444", result.getCard().getPan());
        assertEquals("MASTERCARD", result.getCard().getCardCircuit());
    }

    @Test
    public void onlyTheFirstFinalCallbackIsDelivered() {
        QueueExecutor executor = new QueueExecutor();
        RecordingDelegate delegate = new RecordingDelegate();
        DelegateCallbacks callbacks = new DelegateCallbacks("abort", delegate, executor);
        callbacks.onAdministrationSuccess("Success", "8", "AbortRequest", null, null);
        callbacks.onError("RESPONSE_TIMEOUT", null, "8", false, "late");
        callbacks.onPaymentResult(false, "Aborted", "7", null, null, false, null, null, null, null, null, null, null, null,
                null);
        executor.runAll();
        assertEquals(1, delegate.finalCalls().size());
        PaymentAdministrationResult<?> result = (PaymentAdministrationResult<?>) delegate.finalCalls().get(0).argument;
        assertEquals("AbortRequest", result.requestType());
        assertEquals("8", result.requestId());
        assertNull(result.data());
    }

    @Test
    public void errorsMapTheirNamesAndResults() {
        QueueExecutor executor = new QueueExecutor();
        String[][] cases = {
            {"NOT_A_FLOW_HAPPENING", null, "NOT_A_FLOW_HAPPENING", "FAILURE"},
            {null, "Failure", null, "FAILURE"},
            {null, "Aborted", null, "ABORTED"},
            {"SOMETHING_NEWER", null, null, "FAILURE"},
        };
        for (String[] c : cases) {
            RecordingDelegate delegate = new RecordingDelegate();
            new DelegateCallbacks("abort", delegate, executor).onError(c[0], c[1], null, false, "detail");
            executor.runAll();
            Error error = (Error) delegate.finalCalls().get(0).argument;
            assertSame(c[2] == null ? null : MAPIError.valueOf(c[2]), error.mapiError());
            assertEquals(ResultState.valueOf(c[3]), error.resultState());
            if (c[0] != null && c[2] == null) {
                assertTrue(error.detail(), error.detail().contains(c[0]));
            }
        }
        RecordingDelegate delegate = new RecordingDelegate();
        new DelegateCallbacks("payment", delegate, executor).onError("TERMINAL_CONNECTION_LOST", null, "9", true, null);
        executor.runAll();
        Error error = (Error) delegate.finalCalls().get(0).argument;
        assertTrue(error.recoveryNeeded());
        assertEquals("9", error.requestId());
        assertTrue(error.detail().length() > 0);
    }

    @Test
    public void aThrowingDelegateOrExecutorNeverThrowsBackIntoNativeCode() {
        TerminalDelegate throwing = new TerminalDelegate() {
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                throw new IllegalStateException("app bug (on purpose)");
            }

            @Override
            public void onError(Error error) {
                throw new IllegalStateException("app bug (on purpose)");
            }
        };
        QueueExecutor executor = new QueueExecutor();
        DelegateCallbacks callbacks = new DelegateCallbacks("abort", throwing, executor);
        callbacks.onOutput(DelegateCallbacks.CASHIER_DISPLAY, new String[] {"Aborted"});
        callbacks.onError("NOT_A_FLOW_HAPPENING", null, null, false, "nothing runs");
        assertEquals(2, executor.runAll());

        Executor refusing = task -> {
            throw new RejectedExecutionException("shut down (on purpose)");
        };
        DelegateCallbacks refused = new DelegateCallbacks("abort", new RecordingDelegate(), refusing);
        refused.onOutput(DelegateCallbacks.CASHIER_DISPLAY, new String[] {"x"});
        refused.onAdministrationSuccess("Success", "1", "AbortRequest", null, null);
    }
}
