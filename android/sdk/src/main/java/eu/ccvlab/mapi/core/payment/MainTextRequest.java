package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

/**
 * The main text the terminal asks the POS to show on the customer display (OPI CustomerDisplay), handed to
 * {@code PaymentDelegate.showOnCustomerDisplay(MainTextRequest, DisplayTextRequest)}. This SDK fills it with the
 * terminal's display lines joined by {@code '\n'}; the same lines one by one are in the
 * {@link DisplayTextRequest} passed with it. Immutable; thread-safe.
 */
public final class MainTextRequest {
    private final String text;

    /**
     * Thread: any.
     *
     * @param text the text to show (lines separated by {@code '\n'})
     * @throws NullPointerException if {@code text} is null
     */
    public MainTextRequest(String text) {
        this.text = Objects.requireNonNull(text, "text must not be null");
    }

    /** @return the text to show, lines separated by {@code '\n'}; never null. Thread: any. */
    public String text() {
        return text;
    }

    /** @return the text to show; see {@link #text()}. Thread: any. */
    public String getText() {
        return text;
    }

    /** @return the text. Thread: any. */
    @Override
    public String toString() {
        return text;
    }
}
