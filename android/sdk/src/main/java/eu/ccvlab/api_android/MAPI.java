package eu.ccvlab.api_android;

import java.io.File;

import android.content.Context;
import android.os.Handler;
import android.os.Looper;

import eu.ccvlab.mapi.core.MapiConfig;

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
     * in-flight journal for crash recovery) in {@code <filesDir>/mapi}. Thread: any; returns at once. Calling
     * it again sets the same values again.
     *
     * @param context any context of the app (only {@code getFilesDir()} is used)
     * @throws NullPointerException if {@code context} is null
     */
    public static void initialize(Context context) {
        if (context == null) {
            throw new NullPointerException("context must not be null");
        }
        Handler mainThread = new Handler(Looper.getMainLooper());
        MapiConfig.setCallbackExecutor(mainThread::post);
        MapiConfig.setStateDirectory(new File(context.getFilesDir(), "mapi"));
    }
}
