package eu.ccvlab.mapi.probes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a probe's delegates saw, in order, and a latch for the end of the flow (the probes stand in for apps,
 * which show these texts on screen; a test reads them instead).
 */
public final class ProbeLog {
    private final List<String> events = new ArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Object outcome;

    /** @param event one thing a delegate saw */
    public synchronized void add(String event) {
        events.add(event);
    }

    /** @return a copy of the events so far */
    public synchronized List<String> events() {
        return new ArrayList<>(events);
    }

    /**
     * Ends the flow with {@code value} (the first call wins).
     *
     * @param event  the final event's text
     * @param value  the final callback's argument
     */
    public void finish(String event, Object value) {
        add(event);
        if (finished.getCount() > 0) {
            outcome = value;
        }
        finished.countDown();
    }

    /**
     * Waits for the end of the flow.
     *
     * @param seconds at most this long
     * @return the final callback's argument
     * @throws AssertionError when the flow did not end in time
     */
    public Object await(long seconds) {
        try {
            if (!finished.await(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("the flow did not end within " + seconds + " s; saw " + events());
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", interrupted);
        }
        return outcome;
    }
}
