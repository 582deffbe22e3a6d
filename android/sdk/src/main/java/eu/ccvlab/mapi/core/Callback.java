package eu.ccvlab.mapi.core;

/**
 * The app's answer to a yes/no question of the terminal (for instance "is the customer's signature
 * correct?"). Call exactly one of the two methods exactly once, from any thread; later calls are ignored.
 * A terminal waits for the answer, so answer promptly.
 */
public interface Callback {
    /** Answers "yes". Thread: any; returns at once. */
    void onSuccess();

    /** Answers "no". Thread: any; returns at once. */
    void onFailure();

    /**
     * Answers "yes", CCV's name for {@link #onSuccess()} (apps answer identification and signature questions with
     * it). Thread: any; returns at once.
     */
    default void proceed() {
        onSuccess();
    }
}
