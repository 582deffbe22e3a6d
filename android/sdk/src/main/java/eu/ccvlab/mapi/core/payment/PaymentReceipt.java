package eu.ccvlab.mapi.core.payment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/** A receipt the terminal asks the POS to print (merchant, customer or journal copy), line by line. */
public final class PaymentReceipt {
    private final List<TextLine> lines;

    /**
     * Thread: any.
     *
     * @param lines the receipt's lines, in print order (copied)
     * @throws NullPointerException if {@code lines} or one of its elements is null
     */
    public PaymentReceipt(List<TextLine> lines) {
        Objects.requireNonNull(lines, "lines must not be null");
        List<TextLine> copy = new ArrayList<>(lines.size());
        for (TextLine line : lines) {
            copy.add(Objects.requireNonNull(line, "lines must not contain null"));
        }
        this.lines = Collections.unmodifiableList(copy);
    }

    /** @return the lines, unmodifiable. Thread: any. */
    public List<TextLine> lines() {
        return lines;
    }

    /** @return the lines, unmodifiable. Thread: any. */
    public List<TextLine> getLines() {
        return lines;
    }

    /** @return the lines' texts, in order (a new list). Thread: any. */
    public List<String> plainTextLines() {
        List<String> texts = new ArrayList<>(lines.size());
        for (TextLine line : lines) {
            texts.add(line.text());
        }
        return texts;
    }

    /** @return the lines' texts, in order (a new list). Thread: any. */
    public List<String> getPlainTextLines() {
        return plainTextLines();
    }

    /**
     * Equal when the lines are equal. Thread: any.
     *
     * @param other another object
     * @return whether it is an equal receipt
     */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof PaymentReceipt && ((PaymentReceipt) other).lines.equals(lines);
    }

    /** @return the lines' hash. Thread: any. */
    @Override
    public int hashCode() {
        return lines.hashCode();
    }

    /** @return the lines joined by newlines. Thread: any. */
    @Override
    public String toString() {
        return String.join("\n", plainTextLines());
    }
}
