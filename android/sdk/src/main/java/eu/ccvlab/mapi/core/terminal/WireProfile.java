package eu.ccvlab.mapi.core.terminal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Extension (not in CCV's SDK): overrides of how this SDK spells the parts of an OPI request on which public
 * sources disagree, for one terminal, without a new release. Without one a terminal uses its dialect's profile,
 * which follows the public evidence (see {@code docs/conformance.md}). The usual source is the file
 * {@code pay conformance} writes after probing a real terminal:
 *
 * <pre>{@code
 * ExternalTerminal terminal = ExternalTerminal.builder()
 *         .ipAddress("192.168.1.20")
 *         .wireProfile(WireProfile.parse("abort-request-id = running\nshift-number = element"))
 *         .build();
 * }</pre>
 *
 * <p>Keys and values (one {@code key = value} per line, {@code #} comments): {@code status-request}
 * (GetStatus | Diagnosis), {@code card-circuits-request} (GetCardCircuits | CardCircuits), {@code language-code}
 * and {@code shift-number} (attribute | element), {@code printer-status} (on | off), {@code abort-request-id}
 * (own | running | referenced), {@code silent-abort} (private-data | omit), {@code payment-references} (off |
 * ifsf: whether {@code Payment} referenceNumber and merchantReference are sent). Keys not named keep the dialect's
 * choice. Immutable; every method may be called on any thread.
 */
public final class WireProfile {
    private static final Map<String, List<String>> CHOICES;

    static {
        Map<String, List<String>> choices = new LinkedHashMap<>();
        choices.put("status-request", Arrays.asList("GetStatus", "Diagnosis"));
        choices.put("card-circuits-request", Arrays.asList("GetCardCircuits", "CardCircuits"));
        choices.put("language-code", Arrays.asList("attribute", "element"));
        choices.put("shift-number", Arrays.asList("attribute", "element"));
        choices.put("printer-status", Arrays.asList("on", "off"));
        choices.put("abort-request-id", Arrays.asList("own", "running", "referenced"));
        choices.put("silent-abort", Arrays.asList("private-data", "omit"));
        choices.put("payment-references", Arrays.asList("off", "ifsf"));
        CHOICES = Collections.unmodifiableMap(choices);
    }

    private final Map<String, String> overrides;

    private WireProfile(Map<String, String> overrides) {
        this.overrides = Collections.unmodifiableMap(overrides);
    }

    /**
     * Reads overrides in the text form. Thread: any.
     *
     * @param text {@code key = value} lines; blank lines and {@code #} comments are skipped
     * @return the profile
     * @throws IllegalArgumentException naming the line, for an unknown key or value or a line without {@code =}
     * @throws NullPointerException if {@code text} is null
     */
    public static WireProfile parse(String text) {
        Map<String, String> overrides = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int index = 0; index < lines.length; index++) {
            String line = lines[index].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("wire profile line " + (index + 1) + ": expected key = value, got '"
                        + line + "'");
            }
            String key = line.substring(0, equals).trim();
            String value = line.substring(equals + 1).trim();
            List<String> allowed = CHOICES.get(key);
            if (allowed == null) {
                throw new IllegalArgumentException("wire profile line " + (index + 1) + ": unknown key '" + key
                        + "' (known: " + CHOICES.keySet() + ")");
            }
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("wire profile line " + (index + 1) + ": " + key + " cannot be '"
                        + value + "' (one of " + allowed + ")");
            }
            overrides.put(key, value);
        }
        return new WireProfile(overrides);
    }

    /**
     * Reads a profile file (UTF-8), such as the one {@code pay conformance} suggests. Thread: any but the main
     * thread (it reads a file).
     *
     * @param file the file
     * @return the profile
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if its content is not a profile (see {@link #parse(String)})
     */
    public static WireProfile read(Path file) throws IOException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    /**
     * The value this profile sets for {@code key}, or null when it keeps the dialect's choice. Thread: any.
     *
     * @param key a key, e.g. {@code "abort-request-id"}
     * @return the value, or null
     */
    public @Nullable String get(String key) {
        return overrides.get(key);
    }

    /** @return the overrides in the text form {@link #parse(String)} reads. Thread: any. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : overrides.entrySet()) {
            text.append(entry.getKey()).append(" = ").append(entry.getValue()).append('\n');
        }
        return text.toString();
    }

    /** Equal when they override the same keys with the same values. Thread: any. */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof WireProfile && overrides.equals(((WireProfile) other).overrides);
    }

    /** Thread: any. */
    @Override
    public int hashCode() {
        return overrides.hashCode();
    }
}
