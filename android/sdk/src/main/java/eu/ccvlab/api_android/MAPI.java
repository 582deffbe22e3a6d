package eu.ccvlab.api_android;

import java.io.File;

import android.content.Context;
import android.os.Handler;
import android.os.Looper;

import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.internal.StateDirectories;

/**
 * The SDK's Android entry point: call {@link #initialize(Context)} once, for instance in
 * {@code Application.onCreate()}, before the first request. The only class of the SDK that uses Android
 * classes; everything else runs on a plain JVM, configured through {@link MapiConfig}.
 */
public final class MAPI {

    private MAPI() {
    }

    /**
     * Makes every delegate callback arrive on the main thread and keeps the SDK's state (RequestID counter,
     * in-flight journal for crash recovery) in {@code <noBackupFilesDir>/mapi}: Auto Backup must never restore
     * one device's counter or unsettled payments onto another. State an earlier version kept in
     * {@code <filesDir>/mapi} is moved there first. Thread: any, but the first call may move a few small
     * files: call it from {@code Application.onCreate()}. Calling it again sets the same values again.
     *
     * @param context any context of the app (only {@code getNoBackupFilesDir()} / {@code getFilesDir()} are used)
     * @throws NullPointerException if {@code context} is null
     */
    public static void initialize(Context context) {
        if (context == null) {
            throw new NullPointerException("context must not be null");
        }
        Handler mainThread = new Handler(Looper.getMainLooper());
        MapiConfig.setCallbackExecutor(mainThread::post);
        MapiConfig.setStateDirectory(stateDirectory(context));
    }

    /**
     * As {@link #initialize(Context)}, with automatic recovery on (see
     * {@link MapiConfig#setRecoveryDelegate}): a payment whose outcome the app lost is recovered by itself, and
     * its outcome reaches {@code recoveryDelegate} on the main thread. An extension of this SDK.
     *
     * @param context          any context of the app
     * @param recoveryDelegate where recovered outcomes go
     * @throws NullPointerException if an argument is null
     */
    public static void initialize(Context context, PaymentDelegate recoveryDelegate) {
        if (recoveryDelegate == null) {
            throw new NullPointerException("recoveryDelegate must not be null");
        }
        initialize(context);
        MapiConfig.setRecoveryDelegate(recoveryDelegate);
    }

    /** {@code <noBackupFilesDir>/mapi}, after moving what an earlier version left in {@code <filesDir>/mapi}. */
    private static File stateDirectory(Context context) {
        return StateDirectories.migrate(new File(context.getFilesDir(), "mapi"),
                new File(context.getNoBackupFilesDir(), "mapi"));
    }
}
