package eu.ccvlab.mapi.core.payment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Text for a display, line by line: handed to {@code PaymentDelegate.showOnCustomerDisplay} with the
 * {@link MainTextRequest} of the same text. The accessors are ours (apps only pass the type on).
 */
public final class DisplayTextRequest {
    private final List<TextLine> lines;

    /**
     * Thread: any.
     *
     * @param lines the lines (copied)
     * @throws NullPointerException if {@code lines} is null
     */
    public DisplayTextRequest(List<TextLine> lines) {
        this.lines = Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(lines, "lines must not be null")));
    }

    /** @return the lines, unmodifiable. Thread: any. */
    public List<TextLine> lines() {
        return lines;
    }

    /** @return the lines, unmodifiable. Thread: any. */
    public List<TextLine> getLines() {
        return lines;
    }

    /** @return the lines. Thread: any. */
    @Override
    public String toString() {
        return "DisplayTextRequest" + lines;
    }
}
