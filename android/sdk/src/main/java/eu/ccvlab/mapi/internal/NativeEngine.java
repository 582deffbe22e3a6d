package eu.ccvlab.mapi.internal;

/**
 * The native engine's entry points (the JNI contract; implemented in the Rust crate's {@code src/jni}).
 * Every method returns at once; outcomes arrive through the {@link NativeCallbacks} passed in, on the engine
 * thread. Native code throws {@link NullPointerException} or {@link IllegalArgumentException} for bad
 * arguments and {@link IllegalStateException} for a stale handle.
 *
 * <p>Loading this class loads {@code libmapi.so} ({@code mapi.dll}, {@code libmapi.dylib}); without it the
 * first use throws {@link UnsatisfiedLinkError} (wrapped in {@link ExceptionInInitializerError}).
 */
public final class NativeEngine {
    static {
        System.loadLibrary("mapi");
    }

    // The codes below are also in the Rust crate's src/jni/operations.rs; a test there reads this file, so
    // keep each one a plain `public static final int NAME = number;`.

    /** Payment type code: sale. */
    public static final int SALE = 0;
    /** Payment type code: refund. */
    public static final int REFUND = 1;
    /** Payment type code: void of the last transaction. */
    public static final int VOID = 2;
    /** Payment type code: reservation (pre-authorisation). */
    public static final int RESERVATION = 3;
    /** Payment type: capture of a reservation (CardFinancialAdvice). */
    public static final int CAPTURE = 4;

    /** Operation code: status (Diagnosis). */
    public static final int STATUS = 0;
    /** Operation code: login. */
    public static final int LOGIN = 1;
    /** Operation code: period closing (ReconciliationWithClosure). */
    public static final int PERIOD_CLOSING = 2;
    /** Operation code: partial period closing (Reconciliation). */
    public static final int PARTIAL_PERIOD_CLOSING = 3;
    /** Operation code: reprint the last customer ticket (CardServiceRequest TicketReprint). */
    public static final int TICKET_REPRINT = 4;
    /** Operation code: transaction overview (ServiceRequest TransactionOverview). */
    public static final int TRANSACTION_OVERVIEW = 5;
    /** Operation code: reprint the last period-closing ticket (ServiceRequest TicketReprint). */
    public static final int TICKET_REPRINT_PERIOD_CLOSING = 6;
    /** Operation code: activate the terminal (ServiceRequest Activate). */
    public static final int ACTIVATE_TERMINAL = 7;
    /** Operation code: the terminal's configuration (ServiceRequest GetConfig). */
    public static final int GET_CONFIG = 8;
    /** Operation code: the accepted card brands (ServiceRequest CardCircuits). */
    public static final int CARD_CIRCUITS = 9;
    /** Operation code: read a Mifare card's UID (ServiceRequest CardRead). */
    public static final int READ_MIFARE_UID = 10;
    /** Operation code: card detection (CardServiceRequest CardDetection; a card read with payment callbacks). */
    public static final int CARD_DETECTION = 11;
    /** Operation code: card validation (CardServiceRequest CardValidation; a card read with payment callbacks). */
    public static final int CARD_VALIDATION = 12;

    private NativeEngine() {
    }

    /**
     * Starts a payment. Thread: any; returns at once.
     *
     * @param terminal    the terminal
     * @param paymentType {@link #SALE}, {@link #REFUND}, {@link #VOID}, {@link #RESERVATION} or {@link #CAPTURE}
     * @param amount      a plain decimal, for example "12.50"
     * @param currency    an ISO 4217 code
     * @param originalStan STAN of the transaction a void or capture refers to, or null
     * @param requestId   the RequestID the app chose (1 to 9 digits), or null for the engine's own
     * @param posTimestamp the app's POSTimeStamp, or null for the engine's clock
     * @param referenceNumber the reference of the transaction a refund refers to, or null
     * @param merchantReference the merchant's reference, or null
     * @param callbacks   receives the flow's callbacks
     */
    public static native void payment(NativeTerminal terminal, int paymentType, String amount, String currency,
            String originalStan, String requestId, String posTimestamp, String referenceNumber,
            String merchantReference, NativeCallbacks callbacks);

    /**
     * Aborts the running request. Thread: any; returns at once.
     *
     * @param terminal      the terminal
     * @param newConnection send the AbortRequest on a new connection
     * @param silent        a silent abort (no "Aborted" display)
     * @param callbacks     receives the flow's callbacks
     */
    public static native void abort(NativeTerminal terminal, boolean newConnection, boolean silent,
            NativeCallbacks callbacks);

    /**
     * Runs a request that takes nothing but the terminal: an administrative request, or a card read.
     * Thread: any; returns at once.
     *
     * @param terminal  the terminal
     * @param operation an operation code, {@link #STATUS} to {@link #CARD_VALIDATION}
     * @param callbacks receives the flow's callbacks
     */
    public static native void operation(NativeTerminal terminal, int operation, NativeCallbacks callbacks);

    /**
     * Recovers the payment in the in-flight journal (or the terminal's last) with RepeatLastMessage.
     * Thread: any; returns at once.
     *
     * @param terminal  the terminal
     * @param callbacks receives the flow's callbacks
     */
    public static native void recoverPayment(NativeTerminal terminal, NativeCallbacks callbacks);

    /**
     * Answers a question received by {@link NativeCallbacks#onAsk}. Thread: any; returns at once.
     *
     * @param askHandle the question's handle
     * @param yes       the answer
     * @throws IllegalStateException if the handle was already answered or is unknown
     */
    public static native void answerAsk(long askHandle, boolean yes);

    /**
     * The actual channel-1 (compatibility) port of the terminal's session, starting the session if needed
     * (tests use compatibility port 0). Thread: any; blocks briefly.
     *
     * @param terminal the terminal
     * @return the port, or -1 in single socket mode
     */
    public static native int listenPort(NativeTerminal terminal);

    /**
     * Diagnostics for tests: native handles alive (questions not yet answered, simulators not yet stopped…).
     * Thread: any.
     *
     * @return the count
     */
    public static native long liveHandleCount();

    /**
     * Diagnostics for tests: JNI global references native code holds (one per running flow's callbacks…).
     * Thread: any.
     *
     * @return the count
     */
    public static native long globalRefCount();
}
