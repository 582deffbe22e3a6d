package eu.ccvlab.api_android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import android.content.Context;
import android.os.Handler;
import android.os.Looper;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeEngine;
import eu.ccvlab.mapi.robolectric.MapiRobolectricRunner;
import eu.ccvlab.mapi.testing.Fixtures;
import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;
import eu.ccvlab.mapi.testing.Scenario;
import eu.ccvlab.mapi.testing.TerminalSimulator;

/**
 * {@code MAPI.initialize(context)} on Android's framework classes (Robolectric), with the real native library
 * and simulator: where callbacks run, where the state goes, and that the split of class loaders the suite relies
 * on is the one {@link MapiRobolectricRunner} describes.
 *
 * <p>Thread: JUnit calls every public method here on Robolectric's main-Looper thread (paused looper mode);
 * the SDK's callbacks arrive on that thread too, when the test lets the Looper run.
 */
@RunWith(MapiRobolectricRunner.class)
@Config(sdk = MapiRobolectricRunner.SDK)
public class MapiInitializeTest {
    @After
    public void reset() {
        MapiConfig.setRecoveryDelegate(null);
        MapiConfig.setStateDirectory(null);
    }

    private static String read(File file) throws Exception {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8).trim();
    }

    @Test
    public void theSdkAndItsNativePeersLiveOutsideTheSandboxAndMapiInsideIt() {
        assertSame("MAPI runs on the sandbox's Android classes", Looper.class.getClassLoader(),
                MAPI.class.getClassLoader());
        assertNotSame("the sandbox loaded MAPI itself", ClassLoader.getSystemClassLoader(),
                MAPI.class.getClassLoader());
        for (Class<?> shared : new Class<?>[] {MapiConfig.class, NativeEngine.class, TerminalSimulator.class,
                PaymentService.class}) {
            assertSame(shared + " comes from the application class loader", ClassLoader.getSystemClassLoader(),
                    shared.getClassLoader());
        }
        // The library is linked to those classes: a native call answers.
        try (TerminalSimulator sim = TerminalSimulator.start(Scenario.SUCCESS)) {
            assertTrue(sim.port() > 0);
        }
    }

    @Test
    public void afterInitializeCallbacksAreMessagesOnTheMainLooper() {
        Context app = RuntimeEnvironment.getApplication();
        MAPI.initialize(app);
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate payment = new RecordingDelegate();
            new PaymentService().payment(simulator.terminal(), Fixtures.sale(), payment);

            // An engine thread posted the first callback; until the main Looper runs it, the app saw nothing.
            MainLooper.awaitPosted();
            assertTrue("delivered before the main Looper ran: " + payment.calls(), payment.calls().isEmpty());

            MainLooper.awaitFinals(payment, 1);
            PaymentResult approved = payment.awaitPaymentSuccess();
            assertEquals(ResultState.SUCCESS, approved.resultState());
            assertEquals(Fixtures.twelveFifty(), approved.amount());
            assertFalse(payment.displayLines().isEmpty());
            MainLooper.assertFinalCountOnMainThread(payment, 1);
        }
    }

    @Test
    public void theExecutorIsTheMainThreadsHandler() {
        Context app = RuntimeEnvironment.getApplication();
        MAPI.initialize(app);
        Thread[] ranOn = new Thread[1];
        MapiConfig.getCallbackExecutor().execute(() -> ranOn[0] = Thread.currentThread());
        assertNull("posted, not run in place", ranOn[0]);
        MainLooper.runUntil("the posted task", () -> ranOn[0] != null);
        assertSame(Looper.getMainLooper().getThread(), ranOn[0]);
        // A second call sets the same: still the main thread, still ordered behind earlier messages.
        StringBuilder order = new StringBuilder();
        new Handler(Looper.getMainLooper()).post(() -> order.append("first "));
        MAPI.initialize(app);
        MapiConfig.getCallbackExecutor().execute(() -> order.append("second"));
        MainLooper.runUntil("both tasks", () -> order.toString().equals("first second"));
    }

    @Test
    public void stateLivesInNoBackupFilesDirAndThePaymentUsesIt() throws Exception {
        Context app = RuntimeEnvironment.getApplication();
        MAPI.initialize(app);
        File state = new File(app.getNoBackupFilesDir(), "mapi");
        assertEquals(state, MapiConfig.getStateDirectory());
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate payment = new RecordingDelegate();
            new PaymentService().payment(simulator.terminal(), Fixtures.sale(), payment);
            MainLooper.awaitFinals(payment, 1);
            payment.awaitPaymentSuccess();
        }
        assertTrue("the RequestID counter is kept there: " + state, new File(state, "request-ids").isFile());
        assertFalse("nothing in filesDir (Auto Backup copies it)", new File(app.getFilesDir(), "mapi").exists());
    }

    @Test
    public void theCounterOfAnEarlierVersionMovesToNoBackupAndIsContinued() throws Exception {
        Context app = RuntimeEnvironment.getApplication();
        File legacy = new File(app.getFilesDir(), "mapi");
        assertTrue(legacy.mkdirs());
        Files.write(new File(legacy, "request-ids").toPath(), "129".getBytes(StandardCharsets.UTF_8));

        MAPI.initialize(app);
        File state = new File(app.getNoBackupFilesDir(), "mapi");
        assertFalse("the emptied old directory is gone", legacy.exists());
        assertEquals("129", read(new File(state, "request-ids")));

        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            new PaymentService().payment(terminal, Fixtures.sale(), payment);
            MainLooper.awaitFinals(payment, 1);
            assertEquals("the first id after the moved counter", "129", payment.awaitPaymentSuccess().requestId());
        }
        assertTrue("the counter moved on past 129", Long.parseLong(read(new File(state, "request-ids"))) > 129);
    }

    @Test
    public void aNullContextIsRefused() {
        try {
            MAPI.initialize(null);
            fail("initialize(null) returned");
        } catch (NullPointerException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("context"));
        }
    }
}
