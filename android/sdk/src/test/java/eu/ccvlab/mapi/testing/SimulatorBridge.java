package eu.ccvlab.mapi.testing;

/**
 * The simulated CCV terminal of the Rust crate ({@code src/simulator}), reached through the test build of
 * {@code libmapi}. Test-only JNI contract: the signatures must stay exactly as they are.
 */
public final class SimulatorBridge {
    static {
        System.loadLibrary("mapi");
    }

    /** Dialect code for OPI-NL (as {@code NativeTerminal.dialect}). */
    public static final int OPI_NL = 0;
    /** Dialect code for OPI-DE. */
    public static final int OPI_DE = 1;
    /** Socket mode code for dual socket (as {@code NativeTerminal.socketMode}). */
    public static final int DUAL_SOCKET = 0;
    /** Socket mode code for single socket. */
    public static final int SINGLE_SOCKET = 1;
    /** Gate: the cardholder presents the card. */
    public static final int CARD_PRESENTED = 0;
    /** Gate: the authorised payment completes. */
    public static final int COMPLETION = 1;

    private SimulatorBridge() {
    }

    /**
     * Starts a simulated terminal on a free loopback port.
     *
     * @param dialect    {@link #OPI_NL} or {@link #OPI_DE}
     * @param socketMode {@link #DUAL_SOCKET} or {@link #SINGLE_SOCKET}
     * @param scenario   a preset of {@code Script::from_name} ("success", "abort-window", "too-late"…)
     * @return the simulator's handle
     */
    public static native long start(int dialect, int socketMode, String scenario);

    /**
     * @param sim the handle
     * @return the channel-0 port the simulator listens on
     */
    public static native int port(long sim);

    /**
     * Where dual-socket device requests go (the POS's channel-1 port on loopback).
     *
     * @param sim  the handle
     * @param port the POS's port
     */
    public static native void setPosPort(long sim, int port);

    /**
     * Opens a held gate once.
     *
     * @param sim   the handle
     * @param stage {@link #CARD_PRESENTED} or {@link #COMPLETION}
     */
    public static native void release(long sim, int stage);

    /**
     * Waits until a payment run reached {@code step} (searching from the start of the log).
     *
     * @param sim           the handle
     * @param step          "AwaitingCard", "Authorised", "AwaitingCompletion" or "Responding"
     * @param timeoutMillis how long to wait at most
     * @return whether the step was reached in time
     */
    public static native boolean waitForStep(long sim, String step, long timeoutMillis);

    /**
     * @param sim the handle
     * @return the payload of every frame received so far, in order
     */
    public static native String[] receivedXml(long sim);

    /**
     * Stops the simulator and releases its handle.
     *
     * @param sim the handle
     */
    public static native void stop(long sim);

    /**
     * Makes the engine task serving {@code terminal} panic, as a bug in the engine would: every flow pending on
     * it must end in one {@code onError}, and the terminal must keep working.
     *
     * @param terminal the terminal whose task panics
     */
    public static native void injectEnginePanic(eu.ccvlab.mapi.internal.NativeTerminal terminal);

    /** Panics inside this native call: the JVM must see a {@code RuntimeException}, not crash. */
    public static native void panicNow();
}
