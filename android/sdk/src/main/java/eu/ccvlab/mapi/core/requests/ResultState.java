package eu.ccvlab.mapi.core.requests;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The terminal's verdict on a request: OPI's {@code OverallResult}, as one constant. Values OPI defines
 * but this enum does not name (LoggedOut, CommunicationError, UnknownCard, NotSupported…) are
 * {@link #UNKNOWN}.
 */
public enum ResultState {
    /** OPI "Success". */
    SUCCESS,
    /** OPI "Failure": declined, refused or failed. */
    FAILURE,
    /** OPI "PartialFailure". */
    PARTIAL_FAILURE,
    /** OPI "DeviceUnavailable": the card reader (or another device) is unavailable. */
    DEVICE_UNAVAILABLE,
    /** OPI "TimedOut": the terminal timed out (for instance waiting for a card). */
    TIMED_OUT,
    /** OPI "Aborted": the request was aborted (by the POS or the cardholder). */
    ABORTED,
    /** OPI "FormatError". */
    FORMAT_ERROR,
    /** OPI "ParsingError". */
    PARSING_ERROR,
    /** OPI "ValidationError". */
    VALIDATION_ERROR,
    /** OPI "MissingMandatoryData". */
    MISSING_MANDATORY_DATA,
    /** OPI "Busy": the terminal runs another request. */
    BUSY,
    /** Any other or missing result. */
    UNKNOWN;

    /**
     * Parses an OPI {@code OverallResult} ("PartialFailure") or a constant name ("PARTIAL_FAILURE"),
     * ignoring case and underscores.
     *
     * <p>Thread: any.
     *
     * @param value the text, may be {@code null}
     * @return the matching constant; {@link #UNKNOWN} for {@code null} or anything not listed here
     */
    public static ResultState from(@Nullable String value) {
        if (value == null) {
            return UNKNOWN;
        }
        String wanted = squash(value);
        for (ResultState state : values()) {
            if (squash(state.name()).equals(wanted)) {
                return state;
            }
        }
        return UNKNOWN;
    }

    private static String squash(String text) {
        return text.trim().replace("_", "").toLowerCase(Locale.ROOT);
    }
}
