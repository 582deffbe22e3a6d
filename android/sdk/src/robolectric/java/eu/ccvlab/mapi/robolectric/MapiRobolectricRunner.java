package eu.ccvlab.mapi.robolectric;

import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.InitializationError;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.internal.bytecode.InstrumentationConfiguration;

/**
 * The Robolectric runner of the SDK's Android suite: Robolectric's, with every class under
 * {@code eu.ccvlab.mapi.} kept out of its sandbox class loader.
 *
 * <p>Why: the SDK's Java classes are the JNI peers of {@code libmapi.so}, and the JVM links a native library to
 * one class loader only: a second loader's {@code System.loadLibrary("mapi")} fails with
 * {@code UnsatisfiedLinkError: Native Library ... already loaded in another classloader}. The library's
 * {@code JNI_OnLoad} also resolves {@code NativeCallbacks} and {@code NativeTerminal} once, from the loader that
 * loaded it, and the engine's threads call back into exactly those classes. Robolectric's sandbox loader
 * defines its own copy ("acquires") of every class it is asked for unless told otherwise, and it creates one
 * sandbox per SDK level and per looper, SQLite or graphics mode. Left to it, the SDK would exist once per
 * sandbox and only the first sandbox to touch the library could use it: the suite would pass or fail by how
 * its classes happen to be grouped. Kept out, the SDK, its native library and the simulator bridge are loaded
 * once by the application class loader, as in the plain JUnit suite, and every sandbox shares them
 * ({@code SecondSandboxTest} runs in another sandbox to keep this true). Robolectric treats its own
 * native-library users (Conscrypt, sqlite4java) the same way.
 *
 * <p>What stays in the sandbox: {@code eu.ccvlab.api_android.MAPI}, the one SDK class built on Android
 * classes, and the tests (they live in its package), so that {@code MAPI} runs on Robolectric's
 * {@code Handler}, {@code Looper} and {@code Context}. The sandbox loader hands every name it does not acquire
 * to the application class loader, so {@code MAPI} reaches the one shared {@code MapiConfig}.
 *
 * <p>Thread: JUnit creates and runs it; tests never call it.
 */
public final class MapiRobolectricRunner extends RobolectricTestRunner {
    /**
     * The Android SDK level every test class runs against ({@code @Config(sdk = SDK)}); its
     * {@code android-all-instrumented} jar is the one android/toolchain/robolectric/pom.xml resolves. SDK 35 is
     * the newest level Robolectric 4.17 runs on Java 17.
     */
    public static final int SDK = 35;

    /**
     * Called by JUnit through {@code @RunWith}, on the thread that runs the suite.
     *
     * @param testClass the test class
     * @throws InitializationError when Robolectric rejects the class
     */
    public MapiRobolectricRunner(Class<?> testClass) throws InitializationError {
        super(testClass);
    }

    /** Robolectric calls this on the suite's thread before it picks (or reuses) a sandbox for a test. */
    @Override
    protected InstrumentationConfiguration createClassLoaderConfig(FrameworkMethod method) {
        // The trailing dot keeps a package such as "eu.ccvlab.mapix" acquired: the match is a name prefix.
        return new InstrumentationConfiguration.Builder(super.createClassLoaderConfig(method))
                .doNotAcquirePackage("eu.ccvlab.mapi.")
                .build();
    }
}
