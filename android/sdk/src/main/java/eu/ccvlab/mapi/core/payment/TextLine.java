package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/** One line of text from the terminal: a display line or a receipt line. */
public final class TextLine {
    private final String text;

    /**
     * Thread: any.
     *
     * @param text the line's text
     * @throws NullPointerException if {@code text} is null
     */
    public TextLine(String text) {
        this.text = Objects.requireNonNull(text, "text must not be null");
    }

    /** @return the line's text (never null). Thread: any. */
    public String text() {
        return text;
    }

    /** @return the line's text (never null). Thread: any. */
    public String getText() {
        return text;
    }

    /**
     * Equal when the texts are equal. Thread: any.
     *
     * @param other another object
     * @return whether it is an equal line
     */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof TextLine && ((TextLine) other).text.equals(text);
    }

    /** @return the text's hash. Thread: any. */
    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** @return the text. Thread: any. */
    @Override
    public String toString() {
        return text;
    }
}
