package eu.ccvlab.mapi.internal;

/**
 * The native entry points of recovery (the JNI contract; implemented in the Rust crate's
 * {@code src/jni/recovery.rs}). Apps use {@code MapiConfig.setRecoveryDelegate} and
 * {@code TerminalService.pendingPayments} / {@code resolvePendingPayment} instead.
 *
 * <p>A pending payment crosses as {@link #FIELDS} consecutive strings: key, requestId, requestType, amount,
 * currency, terminal, startedAtMillis, state, attempts, reason, evidence (lines joined by {@code \n}); empty
 * strings stand for absent values. Native code throws {@link NullPointerException} for a null argument and
 * {@link IllegalStateException} when the journal cannot be read or a resolution is refused.
 */
public final class NativeRecovery {
    static {
        System.loadLibrary("mapi");
    }

    /** Strings per pending payment. */
    public static final int FIELDS = 11;

    private NativeRecovery() {
    }

    /**
     * Turns automatic recovery on for terminals first used from now on, with outcomes delivered to
     * {@code callbacks}; {@code null} turns it off.
     *
     * @param callbacks the callbacks of automatic recovery, or null
     */
    public static native void setRecoveryDelegate(NativeCallbacks callbacks);

    /**
     * The unsettled payments of {@code terminal}, oldest first, {@link #FIELDS} strings each. Reads files on the
     * calling thread.
     *
     * @param terminal the terminal
     * @return the flattened payments
     */
    public static native String[] pendingPayments(NativeTerminal terminal);

    /**
     * Settles a pending payment by hand (logged in the state directory's {@code resolved-payments.jsonl}).
     * Blocks until the engine answered (up to 10 s).
     *
     * @param terminal the terminal
     * @param key      the payment's RequestID, or an unreadable entry's file name
     * @param reason   why, for the log
     * @return the resolved payment's {@link #FIELDS} strings, or none when nothing had {@code key}
     */
    public static native String[] resolvePending(NativeTerminal terminal, String key, String reason);
}
