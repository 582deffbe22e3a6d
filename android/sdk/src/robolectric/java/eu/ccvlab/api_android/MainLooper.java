package eu.ccvlab.api_android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.fail;

import java.util.function.BooleanSupplier;

import android.os.Looper;

import org.robolectric.shadow.api.Shadow;
import org.robolectric.shadows.ShadowPausedLooper;

import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;

/**
 * The main thread's side of a test: after {@code MAPI.initialize} every callback is a message on the main
 * Looper, and the test body runs on that Looper's thread (Robolectric's paused mode), so nothing is delivered
 * while the test waits in a plain latch. These methods let the Looper run while waiting instead; they wait in
 * {@link ShadowPausedLooper#poll}, which returns as soon as an engine thread posts a message, so no sleep and
 * no fake-clock advance is involved. Thread: the main thread only (the test body).
 */
final class MainLooper {
    private MainLooper() {
    }

    // Shadow.extract rather than Shadows.shadowOf: javac resolving shadowOf's hundreds of overloads reads
    // framework classes that the instrumented jar cannot serve to a compiler (TabHost.TabSpec).
    private static ShadowPausedLooper main() {
        return Shadow.extract(Looper.getMainLooper());
    }

    /** @return the name of the thread every callback must run on */
    static String threadName() {
        return Looper.getMainLooper().getThread().getName();
    }

    /**
     * Runs the main Looper until {@code done} holds. Each wait for the next message is bounded by
     * {@link SimulatedTerminal#WAIT_MILLIS}; a wait that ends with nothing posted fails the test.
     *
     * @param what what is awaited, for the failure message
     * @param done checked after each batch of messages
     */
    static void runUntil(String what, BooleanSupplier done) {
        ShadowPausedLooper looper = main();
        looper.idle();
        while (!done.getAsBoolean()) {
            looper.poll(SimulatedTerminal.WAIT_MILLIS);
            if (looper.isIdle()) {
                fail("nothing reached the main Looper within " + SimulatedTerminal.WAIT_MILLIS + " ms while waiting for "
                        + what);
            }
            looper.idle();
        }
    }

    /**
     * Waits (running the main Looper) until {@code delegate} saw {@code count} final callbacks.
     *
     * @param delegate the recorder
     * @param count    how many final callbacks
     */
    static void awaitFinals(RecordingDelegate delegate, int count) {
        runUntil(count + " final callback(s); calls so far: " + delegate.calls(),
                () -> delegate.finalCalls().size() >= count);
    }

    /**
     * Runs every message posted so far, then checks that {@code delegate} saw exactly {@code expected} final
     * callbacks, all of them, like every other callback, on the main thread.
     *
     * @param delegate the recorder
     * @param expected how many final callbacks
     */
    static void assertFinalCountOnMainThread(RecordingDelegate delegate, int expected) {
        main().idle();
        assertEquals("final callbacks: " + delegate.finalCalls(), expected, delegate.finalCalls().size());
        assertFalse("no callbacks at all", delegate.calls().isEmpty());
        delegate.assertAllOnThread(threadName());
    }

    /** Waits until an engine thread posted the next message, without running it. */
    static void awaitPosted() {
        ShadowPausedLooper looper = main();
        looper.poll(SimulatedTerminal.WAIT_MILLIS);
        if (looper.isIdle()) {
            fail("nothing reached the main Looper within " + SimulatedTerminal.WAIT_MILLIS + " ms");
        }
    }
}
