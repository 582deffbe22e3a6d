package eu.ccvlab.mapi.testing;

import eu.ccvlab.mapi.internal.NativeTerminal;

/**
 * Test seams of the native library, for this repository's own tests only: they exist in a library built with the
 * crate's {@code test-hooks} feature (the host library the JVM suites load), never in an AAR. Thread: any.
 */
public final class EngineFaults {
    private EngineFaults() {
    }

    /**
     * Makes the engine task of {@code terminal} panic: every flow it has pending must end in {@code onError}, and
     * the app must live on.
     *
     * @param terminal the terminal whose task panics
     */
    public static native void injectEnginePanic(NativeTerminal terminal);

    /** Panics inside this native call: the JVM must see a RuntimeException, never a crash. */
    public static native void panicNow();
}
