package eu.ccvlab.mapi.core.payment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Configuration values the terminal reports, by name. The shape is a guess; this SDK does not deliver it yet. */
public final class ConfigData {
    private final Map<String, String> values;

    /**
     * Thread: any.
     *
     * @param values the values by name (copied, order kept)
     * @throws NullPointerException if {@code values} is null
     */
    public ConfigData(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values must not be null")));
    }

    /** @return the values by name, unmodifiable. Thread: any. */
    public Map<String, String> values() {
        return values;
    }

    /** @return the values by name, unmodifiable. Thread: any. */
    public Map<String, String> getValues() {
        return values;
    }

    /**
     * Thread: any.
     *
     * @param name a value's name
     * @return the value, or null
     */
    public String get(String name) {
        return values.get(name);
    }

    /** @return the values. Thread: any. */
    @Override
    public String toString() {
        return "ConfigData" + values;
    }
}
