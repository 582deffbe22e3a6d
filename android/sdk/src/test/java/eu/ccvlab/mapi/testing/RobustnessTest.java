package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.junit.function.ThrowingRunnable;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeEngine;

/** Misuse and long runs: null arguments, throwing delegates, and no native leak over thousands of flows. */
public class RobustnessTest {
    private final PaymentService payments = new PaymentService();
    private final TerminalService terminals = new TerminalService();
    private final TokenService tokens = new TokenService();

    private static void assertNpeNaming(String argument, ThrowingRunnable call) {
        NullPointerException thrown = assertThrows(NullPointerException.class, call);
        assertNotNull(thrown.getMessage());
        assertTrue("message names " + argument + ": " + thrown.getMessage(), thrown.getMessage().contains(argument));
    }

    @Test
    public void nullArgumentsThrowNullPointerExceptionNamingTheArgumentAndSendNothing() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            final ExternalTerminal t = simulator.terminal();
            final RecordingDelegate d = new RecordingDelegate();
            final Payment p = Fixtures.sale();

            assertNpeNaming("terminal", () -> payments.payment(null, p, d));
            assertNpeNaming("payment", () -> payments.payment(t, null, d));
            assertNpeNaming("delegate", () -> payments.payment(t, p, null));
            assertNpeNaming("terminal", () -> payments.reservation(null, p, d));
            assertNpeNaming("payment", () -> payments.reservation(t, null, d));
            assertNpeNaming("delegate", () -> payments.reservation(t, p, null));
            assertNpeNaming("terminal", () -> payments.abort(null, d));
            assertNpeNaming("delegate", () -> payments.abort(t, null));
            assertNpeNaming("terminal", () -> payments.abortOnNewConnection(null, d));
            assertNpeNaming("delegate", () -> payments.abortOnNewConnection(t, null));

            assertNpeNaming("terminal", () -> tokens.abort(false, null, d));
            assertNpeNaming("delegate", () -> tokens.abort(true, t, null));
            assertNpeNaming("terminal", () -> tokens.abortOnNewConnection(true, null, d));
            assertNpeNaming("delegate", () -> tokens.abortOnNewConnection(false, t, null));
            assertNpeNaming("terminal", () -> payments.cardDetection(null, d));
            assertNpeNaming("delegate", () -> payments.cardDetection(t, null));
            assertNpeNaming("terminal", () -> payments.cardValidation(null, d));
            assertNpeNaming("delegate", () -> payments.cardValidation(t, null));
            assertNpeNaming("terminal", () -> tokens.tokenPreAuthorisation(null, p, d));
            assertNpeNaming("payment", () -> tokens.tokenPreAuthorisation(t, null, d));
            assertNpeNaming("delegate", () -> tokens.tokenPreAuthorisation(t, p, null));
            assertNpeNaming("terminal", () -> tokens.settlement(null, p, "1", d));
            assertNpeNaming("payment", () -> tokens.settlement(t, null, "1", d));
            assertNpeNaming("preAuthorisationStan", () -> tokens.settlement(t, p, null, d));
            assertNpeNaming("delegate", () -> tokens.settlement(t, p, "1", null));

            assertNpeNaming("terminal", () -> terminals.recoverPayment(null, "1", d));
            assertNpeNaming("delegate", () -> terminals.recoverPayment(t, "1", null));
            assertNpeNaming("terminal", () -> terminals.repeatLastMessage(null, d));
            assertNpeNaming("delegate", () -> terminals.repeatLastMessage(t, null));
            List<TerminalCall> administration = new ArrayList<>();
            administration.add(terminals::status);
            administration.add(terminals::login);
            administration.add(terminals::startup);
            administration.add(terminals::periodClosing);
            administration.add(terminals::partialPeriodClosing);
            administration.add(terminals::retrieveLastTicket);
            administration.add(terminals::transactionOverview);
            administration.add(terminals::activateTerminal);
            administration.add(terminals::ticketReprintPeriodClosing);
            administration.add(terminals::cardCircuits);
            administration.add(terminals::readMifareUID);
            administration.add(terminals::getConfig);
            for (final TerminalCall call : administration) {
                assertNpeNaming("terminal", () -> call.run(null, d));
                assertNpeNaming("delegate", () -> call.run(t, null));
            }

            // Every flow of this terminal runs in order on the engine: once this abort is answered, anything an
            // earlier call might have queued would have been sent.
            RecordingDelegate fence = new RecordingDelegate();
            payments.abort(t, fence);
            fence.awaitError(MAPIError.NOT_A_FLOW_HAPPENING);
            assertEquals(new ArrayList<String>(), simulator.receivedXml());
            d.assertFinalCount(0);
        }
    }

    /** A terminal service method of the {@code (ExternalTerminal, TerminalDelegate)} shape. */
    private interface TerminalCall {
        void run(ExternalTerminal terminal, TerminalDelegate delegate);
    }

    /** Throws from every callback, never answers a question itself. */
    private static final class ThrowingDelegate implements PaymentDelegate, TokenDelegate {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger finals = new AtomicInteger();
        final CountDownLatch finished = new CountDownLatch(1);

        private RuntimeException fail(String method) {
            calls.incrementAndGet();
            return new IllegalStateException("app bug in " + method + " (thrown on purpose by the test)");
        }

        private RuntimeException failFinal(String method) {
            finals.incrementAndGet();
            finished.countDown();
            return fail(method);
        }

        @Override
        public void showTerminalOutputLines(List<TextLine> lines) {
            throw fail("showTerminalOutputLines");
        }

        @Override
        public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
            throw fail("printMerchantReceiptAndSignature");
        }

        @Override
        public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
            throw fail("printCustomerReceiptAndSignature");
        }

        @Override
        public void storeEJournal(String journal) {
            throw fail("storeEJournal");
        }

        @Override
        public void askCustomerSignature(Callback callback) {
            throw fail("askCustomerSignature");
        }

        @Override
        public void onPaymentSuccess(PaymentResult result) {
            throw failFinal("onPaymentSuccess");
        }

        @Override
        public void onPaymentError(PaymentResult result) {
            throw failFinal("onPaymentError");
        }

        @Override
        public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
            throw failFinal("onPaymentAdministrationSuccess");
        }

        @Override
        public void onError(Error error) {
            throw failFinal("onError");
        }

        void awaitFinal() throws InterruptedException {
            assertTrue("the throwing delegate's final callback never came",
                    finished.await(SimulatedTerminal.WAIT_MILLIS, TimeUnit.MILLISECONDS));
            RecordingDelegate.drainCallbackExecutor();
            assertEquals("final callbacks", 1, finals.get());
        }
    }

    @Test
    public void aDelegateThatThrowsEverywhereDoesNotStopTheSdk() throws InterruptedException {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("signature")) {
            ExternalTerminal terminal = simulator.terminal();

            ThrowingDelegate payment = new ThrowingDelegate();
            payments.payment(terminal, Fixtures.sale(), payment);
            payment.awaitFinal();
            assertTrue("display, receipts, question and final were all called: " + payment.calls,
                    payment.calls.get() >= 5);

            ThrowingDelegate abort = new ThrowingDelegate();
            tokens.abort(false, terminal, abort);
            abort.awaitFinal();

            RecordingDelegate next = new RecordingDelegate(true);
            payments.payment(terminal, Fixtures.sale(), next);
            assertEquals(ResultState.SUCCESS, next.awaitPaymentSuccess().resultState());
            next.assertFinalCount(1);
            assertEquals("a question the delegate threw on was answered no, so the terminal declined", 2,
                    simulator.receivedContaining("\"CardPayment\"").size());
        }
    }

    /** Counts outcomes of many flows; each call must see exactly one final callback. */
    private static final class CountingDelegate implements PaymentDelegate, TokenDelegate {
        private final CountDownLatch finals;
        private final Map<String, Integer> outcomes;

        CountingDelegate(CountDownLatch finals, Map<String, Integer> outcomes) {
            this.finals = finals;
            this.outcomes = outcomes;
        }

        private void count(String outcome) {
            synchronized (outcomes) {
                Integer seen = outcomes.get(outcome);
                outcomes.put(outcome, seen == null ? 1 : seen + 1);
            }
            finals.countDown();
        }

        @Override
        public void onPaymentSuccess(PaymentResult result) {
            count("payment success");
        }

        @Override
        public void onPaymentError(PaymentResult result) {
            count("payment " + result.resultState());
        }

        @Override
        public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
            count("abort accepted");
        }

        @Override
        public void onError(Error error) {
            count("error " + (error.mapiError() != null ? error.mapiError() : error.resultState()));
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(what + ": " + latch.getCount() + " final callback(s) missing",
                latch.await(SimulatedTerminal.WAIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    private void idleAborts(ExternalTerminal terminal, int count, Map<String, Integer> outcomes)
            throws InterruptedException {
        CountDownLatch finals = new CountDownLatch(count);
        CountingDelegate delegate = new CountingDelegate(finals, outcomes);
        for (int i = 0; i < count; i++) {
            payments.abort(terminal, delegate);
        }
        await(finals, "aborts with nothing running");
    }

    private void paymentAndAbort(ExternalTerminal terminal, Map<String, Integer> outcomes) throws InterruptedException {
        CountDownLatch finals = new CountDownLatch(2);
        payments.payment(terminal, Fixtures.sale(), new CountingDelegate(finals, outcomes));
        payments.abort(terminal, new CountingDelegate(finals, outcomes));
        await(finals, "payment + abort");
    }

    /**
     * Native counters once every earlier flow of {@code terminal} has been released. Native code drops a
     * flow's references on the terminal's engine task right after the final callback returned; the task
     * handles one message at a time, so a round trip through that task ({@code listenPort}) returns only
     * after every flow whose final callback we saw has been released.
     */
    private long[] settledCounts(ExternalTerminal terminal) {
        RecordingDelegate.drainCallbackExecutor();
        NativeEngine.listenPort(SimulatedTerminal.nativeTerminalFor(terminal));
        return new long[] {NativeEngine.globalRefCount(), NativeEngine.liveHandleCount()};
    }

    @Test
    public void tenThousandIdleAbortsAndTwoHundredPaymentAbortCyclesLeakNoNativeReference()
            throws InterruptedException {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("abort-window")) {
            ExternalTerminal terminal = simulator.terminal();
            Map<String, Integer> warmUp = new TreeMap<>();
            paymentAndAbort(terminal, warmUp);
            idleAborts(terminal, 10, warmUp);
            long[] before = settledCounts(terminal);

            Map<String, Integer> idle = new TreeMap<>();
            for (int batch = 0; batch < 100; batch++) {
                idleAborts(terminal, 100, idle);
            }
            Map<String, Integer> cycles = new TreeMap<>();
            for (int cycle = 0; cycle < 200; cycle++) {
                paymentAndAbort(terminal, cycles);
            }
            long[] after = settledCounts(terminal);

            System.out.println("leak check: globalRefCount before=" + before[0] + " after=" + after[0]
                    + "; liveHandleCount before=" + before[1] + " after=" + after[1]);
            System.out.println("leak check: 10000 idle aborts -> " + idle + "; 200 payment+abort cycles -> " + cycles);
            assertEquals("idle aborts: " + idle, Integer.valueOf(10_000), idle.get("error NOT_A_FLOW_HAPPENING"));
            int cycleFinals = 0;
            for (int count : cycles.values()) {
                cycleFinals += count;
            }
            assertEquals("one final per call: " + cycles, 400, cycleFinals);
            assertEquals("JNI global references held by native code", before[0], after[0]);
            assertEquals("native handles alive", before[1], after[1]);
        }
    }
}
