package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

/**
 * The terminal offers an electronic receipt (for example a link the customer can open). The field names
 * are guesses; this SDK does not deliver it yet.
 */
public final class EReceiptRequest {
    private final String content;

    /**
     * Thread: any.
     *
     * @param content the e-receipt's content (text or link)
     * @throws NullPointerException if {@code content} is null
     */
    public EReceiptRequest(String content) {
        this.content = Objects.requireNonNull(content, "content must not be null");
    }

    /** @return the e-receipt's content. Thread: any. */
    public String content() {
        return content;
    }

    /** @return the e-receipt's content. Thread: any. */
    public String getContent() {
        return content;
    }

    /** @return the content. Thread: any. */
    @Override
    public String toString() {
        return "EReceiptRequest{" + content + "}";
    }
}
