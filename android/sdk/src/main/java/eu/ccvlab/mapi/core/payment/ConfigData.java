package eu.ccvlab.mapi.core.payment;

import java.util.Map;

/**
 * The earlier name of {@link eu.ccvlab.mapi.core.api.response.result.ConfigData}, kept so code that refers to
 * it still compiles. {@code TerminalDelegate.configData} takes the {@code api.response.result} type (the one CCV's
 * SDK apps import); this SDK no longer creates instances of this class.
 *
 * @deprecated use {@link eu.ccvlab.mapi.core.api.response.result.ConfigData}
 */
@Deprecated
public final class ConfigData extends eu.ccvlab.mapi.core.api.response.result.ConfigData {
    /**
     * Thread: any.
     *
     * @param values the values by name (copied, order kept)
     * @throws NullPointerException if {@code values} is null
     */
    public ConfigData(Map<String, String> values) {
        super(values);
    }
}
