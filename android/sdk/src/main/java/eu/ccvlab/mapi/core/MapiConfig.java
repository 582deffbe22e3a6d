package eu.ccvlab.mapi.core;

import java.io.File;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;

/**
 * Process-wide settings of the SDK, for code that runs without Android (tests, desktop POS) or that wants
 * other values than {@code MAPI.initialize(context)} sets. An extension of this SDK: CCV's SDK has no such
 * class. Settings are read when a request starts: a change applies to requests started afterwards.
 *
 * <p>Every method may be called from any thread.
 */
public final class MapiConfig {
    private static final Object LOCK = new Object();
    private static volatile @Nullable Executor callbackExecutor;
    private static volatile @Nullable File stateDirectory;
    private static @Nullable ExecutorService defaultExecutor;

    private MapiConfig() {
    }

    /**
     * Sets where delegate callbacks run. On Android, {@code MAPI.initialize} sets the main thread. The
     * executor should run tasks one at a time in submission order (a single thread, a UI thread), or the
     * callbacks of one request may overtake each other. Thread: any; returns at once.
     *
     * @param executor the executor
     * @throws NullPointerException if {@code executor} is null
     */
    public static void setCallbackExecutor(Executor executor) {
        callbackExecutor = Objects.requireNonNull(executor, "executor must not be null");
    }

    /**
     * Where delegate callbacks run: the executor set last, else one daemon thread named
     * {@code "mapi-callbacks"}, started on first use. Thread: any; returns at once.
     *
     * @return the executor
     */
    public static Executor getCallbackExecutor() {
        Executor executor = callbackExecutor;
        if (executor != null) {
            return executor;
        }
        synchronized (LOCK) {
            if (defaultExecutor == null) {
                defaultExecutor = Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "mapi-callbacks");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            return callbackExecutor != null ? callbackExecutor : defaultExecutor;
        }
    }

    /**
     * Turns automatic recovery on: the SDK then recovers a payment whose outcome it lost (the app died, the
     * connection dropped) by itself — when its terminal is first used, again with a bounded backoff while the
     * terminal cannot tell (busy, still finishing it), and before a new payment on that terminal, which waits
     * for it. Each recovered outcome arrives at {@code delegate.onPaymentSuccess/onPaymentError} with
     * {@code PaymentResult.recovered()} true; an attempt that settled nothing arrives at {@code onError} with
     * {@code MAPIError.RECOVERY_PENDING}, the payment's {@code requestId()} and the reason in {@code detail()}.
     * Without it (the default, as in CCV's SDK) a payment on a terminal with an unsettled one is refused with
     * {@code PAYMENT_PENDING_RECOVERY} until {@code TerminalService.recoverPayment} settles it. Set it before the
     * first request: it applies to terminals first used afterwards. An extension of this SDK.
     *
     * <p>Thread: any; returns at once. Callbacks arrive on the callback executor, never on a native thread.
     *
     * @param delegate where recovered outcomes go, or null to turn automatic recovery off
     */
    public static void setRecoveryDelegate(
            eu.ccvlab.mapi.core.api.response.delegate.@Nullable PaymentDelegate delegate) {
        eu.ccvlab.mapi.internal.Flows.setRecoveryDelegate(delegate);
    }

    /**
     * Sets the directory where the SDK keeps its RequestID counter and its in-flight journal (the record of a
     * payment whose outcome is not known yet, used to recover it after a crash). On Android,
     * {@code MAPI.initialize} sets {@code <noBackupFilesDir>/mapi} (kept out of Auto Backup, so a restored
     * device never inherits another device's counter or unsettled payments). The directory is created when
     * needed.
     * Thread: any; returns at once.
     *
     * @param directory the directory, or null for none: then nothing survives a crash or a restart (RequestIDs
     *                  start again and an interrupted payment cannot be recovered automatically)
     */
    public static void setStateDirectory(@Nullable File directory) {
        stateDirectory = directory;
    }

    /**
     * The state directory set last, or null (the default). Thread: any; returns at once.
     *
     * @return the directory, or null
     */
    public static @Nullable File getStateDirectory() {
        return stateDirectory;
    }
}
