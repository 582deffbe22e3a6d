package eu.ccvlab.mapi.internal;

/**
 * The native entry points of the wire trace (the JNI contract; implemented in the Rust crate's
 * {@code src/jni/trace.rs}). Apps use {@link eu.ccvlab.mapi.core.WireTrace} instead.
 *
 * <p>Native code throws {@link NullPointerException} for a null argument, {@link IllegalArgumentException} when a
 * file cannot be created, written or copied (the message names the file and the OS error) and
 * {@link IllegalStateException} when nothing was recorded yet.
 */
public final class NativeTrace {
    static {
        System.loadLibrary("mapi");
    }

    private NativeTrace() {
    }

    /**
     * Starts the trace of every terminal, replacing a running one. Creates or truncates the file and writes its
     * header on the calling thread.
     *
     * @param path     the trace file
     * @param maxBytes size limit in bytes
     */
    public static native void enable(String path, long maxBytes);

    /** Stops the trace: its writer thread writes the closing line and flushes while the caller waits. */
    public static native void disable();

    /**
     * Copies the running (or last) trace to {@code destination}, flushed first.
     *
     * @param destination where to copy it
     * @return the bytes copied
     */
    public static native long export(String destination);
}
