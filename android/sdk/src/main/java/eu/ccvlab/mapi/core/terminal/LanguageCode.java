package eu.ccvlab.mapi.core.terminal;

/**
 * Language of the texts the terminal shows and prints, sent to it as an ISO 639-1 code. Which languages a
 * terminal really offers depends on its software; an unsupported one falls back to the terminal's default.
 */
public enum LanguageCode {
    /** English. */
    EN("en"),
    /** Dutch. */
    NL("nl"),
    /** German. */
    DE("de"),
    /** French. */
    FR("fr"),
    /** Italian. */
    IT("it"),
    /** Spanish. */
    ES("es");

    private final String code;

    LanguageCode(String code) {
        this.code = code;
    }

    /**
     * The ISO 639-1 code sent to the terminal. Thread: any.
     *
     * @return for example {@code "en"}
     */
    public String code() {
        return code;
    }

    /**
     * Same as {@link #code()}. Thread: any.
     *
     * @return for example {@code "en"}
     */
    public String getCode() {
        return code;
    }
}
