package eu.ccvlab.mapi.core.api.response.result;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Configuration values the terminal reports, by name, delivered to {@code TerminalDelegate.configData} before the
 * final callback of {@code TerminalApi.getConfig}. This is the type CCV's SDK apps import; the older
 * {@code eu.ccvlab.mapi.core.payment.ConfigData} is a deprecated subclass of it. Immutable; thread-safe.
 */
public class ConfigData {
    private final Map<String, String> values;

    /**
     * Thread: any.
     *
     * @param values the values by name (copied, order kept)
     * @throws NullPointerException if {@code values} is null
     */
    public ConfigData(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(values, "values must not be null")));
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
    public @Nullable String get(String name) {
        return values.get(name);
    }

    /** @return the values. Thread: any. */
    @Override
    public String toString() {
        return "ConfigData" + values;
    }
}
