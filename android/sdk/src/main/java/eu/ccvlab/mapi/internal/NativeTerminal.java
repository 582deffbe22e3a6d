package eu.ccvlab.mapi.internal;

import java.io.File;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * An {@link ExternalTerminal} plus the process settings of {@link MapiConfig}, flattened into plain fields
 * that native code reads by name. Field names and types are part of the JNI contract: do not rename them.
 */
public final class NativeTerminal {
    private static final Logger LOG = Logger.getLogger("eu.ccvlab.mapi");
    private static final AtomicBoolean WARNED_NO_STATE_DIRECTORY = new AtomicBoolean();

    /** Dialect code for OPI-NL. */
    public static final int DIALECT_OPI_NL = 0;
    /** Dialect code for OPI-DE. */
    public static final int DIALECT_OPI_DE = 1;
    /** Socket mode code for dual socket. */
    public static final int DUAL_SOCKET = 0;
    /** Socket mode code for single socket. */
    public static final int SINGLE_SOCKET = 1;

    /** The terminal's IP address or host name. */
    public final String ipAddress;
    /** Channel-0 port (the terminal listens). */
    public final int port;
    /** Channel-1 port (the POS listens); 0 = any free port. */
    public final int compatibilityPort;
    /** {@link #DIALECT_OPI_NL} or {@link #DIALECT_OPI_DE}. */
    public final int dialect;
    /** {@link #DUAL_SOCKET} or {@link #SINGLE_SOCKET}. */
    public final int socketMode;
    /** The POS workstation id. */
    public final String workstationId;
    /** ISO 639-1 language code. */
    public final String languageCode;
    /** Absolute path of the state directory, or null for none. */
    public final String stateDirectory;
    /** Connect timeout in ms; 0 = default. */
    public final long connectTimeoutMillis;
    /** Abort response timeout in ms; 0 = the dialect's default. */
    public final long abortTimeoutMillis;
    /** Response timeout of other requests in ms; 0 = the dialect's default. */
    public final long responseTimeoutMillis;
    /** Ask for a card token with payments and card reads. */
    public final boolean requestToken;
    /** The cashier shift sent in POSdata; -1 for none. */
    public final int shiftNumber;
    /** Wire profile overrides in their text form, or null for the dialect's profile. */
    public final String wireProfile;

    private NativeTerminal(ExternalTerminal terminal, File stateDirectory) {
        this.ipAddress = terminal.ipAddress();
        this.port = terminal.port();
        this.compatibilityPort = terminal.compatibilityPort();
        this.dialect = terminal.terminalType() == ExternalTerminal.TerminalType.OPI_DE ? DIALECT_OPI_DE
                : DIALECT_OPI_NL;
        this.socketMode = terminal.socketMode() == ExternalTerminal.SocketMode.SINGLE_SOCKET ? SINGLE_SOCKET
                : DUAL_SOCKET;
        this.workstationId = terminal.workstationId();
        this.languageCode = terminal.languageCode().code();
        this.stateDirectory = stateDirectory == null ? null : stateDirectory.getAbsolutePath();
        this.connectTimeoutMillis = terminal.connectTimeoutMillis();
        this.abortTimeoutMillis = terminal.abortTimeoutMillis();
        this.responseTimeoutMillis = terminal.responseTimeoutMillis();
        this.requestToken = terminal.requestToken();
        this.shiftNumber = terminal.shiftNumber() == null ? -1 : terminal.shiftNumber();
        this.wireProfile = terminal.wireProfile() == null ? null : terminal.wireProfile().toString();
    }

    /**
     * The native view of {@code terminal} with the current {@link MapiConfig#getStateDirectory()}. Logs a
     * warning once per process when no state directory is set. Thread: any.
     *
     * @param terminal the terminal
     * @return its native view
     * @throws NullPointerException if {@code terminal} is null
     */
    public static NativeTerminal from(ExternalTerminal terminal) {
        if (terminal == null) {
            throw new NullPointerException("terminal must not be null");
        }
        File stateDirectory = MapiConfig.getStateDirectory();
        if (stateDirectory == null && WARNED_NO_STATE_DIRECTORY.compareAndSet(false, true)) {
            LOG.warning("no state directory set (MAPI.initialize or MapiConfig.setStateDirectory): RequestIDs and "
                    + "the in-flight journal do not survive a restart, so an interrupted payment cannot be recovered");
        }
        return new NativeTerminal(terminal, stateDirectory);
    }

    /** @return the fields, for logs. Thread: any. */
    @Override
    public String toString() {
        return "NativeTerminal{" + ipAddress + ":" + port + ", compatibilityPort=" + compatibilityPort + ", dialect="
                + dialect + ", socketMode=" + socketMode + ", workstationId=" + workstationId + ", language="
                + languageCode + ", stateDirectory=" + stateDirectory + ", timeouts(ms) connect="
                + connectTimeoutMillis + " abort=" + abortTimeoutMillis + " response=" + responseTimeoutMillis + "}";
    }
}
