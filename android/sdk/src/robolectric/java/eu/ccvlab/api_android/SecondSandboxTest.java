package eu.ccvlab.api_android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;

import android.os.Looper;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.LooperMode;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.robolectric.MapiRobolectricRunner;
import eu.ccvlab.mapi.testing.Fixtures;
import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;

/**
 * Runs in a sandbox of its own (another looper mode makes Robolectric build another class loader), after or
 * before the other classes' sandbox, in the same JVM: the native library must still answer. Without the
 * runner's exclusion of the SDK from the sandboxes, whichever sandbox came second failed with "Native Library
 * ... already loaded in another classloader". In this looper mode the main Looper runs on a thread of its own,
 * so the test waits on the recorder, as the plain JUnit suite does.
 *
 * <p>Thread: JUnit calls the test on a thread of its own; the SDK's callbacks arrive on the main Looper's thread.
 */
@RunWith(MapiRobolectricRunner.class)
@Config(sdk = MapiRobolectricRunner.SDK)
@LooperMode(LooperMode.Mode.INSTRUMENTATION_TEST)
public class SecondSandboxTest {
    @Test
    public void anotherSandboxReachesTheSameNativeLibraryAndTheMainLooper() {
        assertNotSame("this test runs on its own thread, not the main Looper's", Looper.getMainLooper().getThread(),
                Thread.currentThread());
        assertSame(ClassLoader.getSystemClassLoader(), MapiConfig.class.getClassLoader());
        MAPI.initialize(RuntimeEnvironment.getApplication());
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            RecordingDelegate payment = new RecordingDelegate();
            new PaymentService().payment(simulator.terminal(), Fixtures.sale(), payment);
            assertEquals(ResultState.SUCCESS, payment.awaitPaymentSuccess().resultState());
            payment.assertFinalCount(1);
            payment.assertAllOnThread(Looper.getMainLooper().getThread().getName());
        } finally {
            MapiConfig.setStateDirectory(null);
        }
    }
}
