package eu.ccvlab.mapi.core.terminal;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How to reach one payment terminal: address, ports, OPI dialect and socket layout. Immutable; build one
 * with {@link #builder()}. Pass it with every call: the SDK keeps one session per terminal (IP address,
 * port and workstation id), and a changed setting applies from the next request on.
 *
 * <pre>{@code
 * ExternalTerminal terminal = ExternalTerminal.builder()
 *         .ipAddress("192.168.1.20")
 *         .terminalType(ExternalTerminal.TerminalType.OPI_NL)
 *         .workstationId("POS1")
 *         .languageCode(LanguageCode.NL)
 *         .build();
 * }</pre>
 *
 * <p>Defaults by terminal type: OPI-NL uses port 4100, compatibility port 4102 and {@link SocketMode#DUAL_SOCKET};
 * OPI-DE uses port 20002, compatibility port 20007 and {@link SocketMode#SINGLE_SOCKET}. The timeouts
 * ({@code connectTimeoutMillis}, {@code abortTimeoutMillis}, {@code responseTimeoutMillis}) are extensions
 * of this SDK; 0 means CCV's value for the dialect.
 */
public final class ExternalTerminal {

    /** How the terminal's device requests (display texts, receipts, questions) reach the POS. */
    public enum SocketMode {
        /** Device requests come back on the request's own connection (CCV's OPI-DE tunnel). */
        SINGLE_SOCKET,
        /** The terminal connects to the POS's compatibility port for each device request. */
        DUAL_SOCKET
    }

    /** The OPI dialect the terminal speaks. */
    public enum TerminalType {
        /** OPI-DE (Germany). */
        OPI_DE,
        /** OPI-NL (Netherlands, Belgium): CCV's default. */
        OPI_NL
    }

    /**
     * Attended (cashier present) or unattended (vending, EV charging) operation. Accepted for compatibility
     * and ignored by this SDK: the protocol it speaks is the same for both. The constant names are guesses.
     */
    public enum Mode {
        /** A cashier operates the POS. */
        ATTENDED,
        /** No cashier (PAX IM30 and similar). */
        UNATTENDED,
        /**
         * CCV's setting for a payment app on the same device reached through the compatibility port (on-device
         * OPI-NL: {@code 127.0.0.1}, ports 4100 and 4102, {@link SocketMode#DUAL_SOCKET}). Accepted and ignored
         * like the others: the connection follows {@link SocketMode} and the ports.
         */
        COMPATIBLE
    }

    private final String ipAddress;
    private final int port;
    private final int compatibilityPort;
    private final SocketMode socketMode;
    private final TerminalType terminalType;
    private final Mode mode;
    private final String workstationId;
    private final LanguageCode languageCode;
    private final boolean requestToken;
    private final long connectTimeoutMillis;
    private final long abortTimeoutMillis;
    private final long responseTimeoutMillis;
    private final Integer shiftNumber;
    private final WireProfile wireProfile;

    private ExternalTerminal(Builder builder) {
        this(builder, null);
    }

    private ExternalTerminal(Builder builder, Integer shiftNumber) {
        this.shiftNumber = shiftNumber;
        this.ipAddress = Objects.requireNonNull(builder.ipAddress, "ipAddress must not be null");
        this.terminalType = builder.terminalType;
        boolean nl = terminalType == TerminalType.OPI_NL;
        this.port = builder.port != null ? builder.port : (nl ? 4100 : 20002);
        this.compatibilityPort = builder.compatibilityPort != null ? builder.compatibilityPort : (nl ? 4102 : 20007);
        this.socketMode = builder.socketMode != null ? builder.socketMode
                : (nl ? SocketMode.DUAL_SOCKET : SocketMode.SINGLE_SOCKET);
        this.mode = builder.mode;
        this.workstationId = builder.workstationId;
        this.languageCode = builder.languageCode;
        this.requestToken = builder.requestToken;
        this.connectTimeoutMillis = builder.connectTimeoutMillis;
        this.abortTimeoutMillis = builder.abortTimeoutMillis;
        this.responseTimeoutMillis = builder.responseTimeoutMillis;
        this.wireProfile = builder.wireProfile;
    }

    /**
     * A new builder with every default in place (OPI-NL, workstation "POS1", English); only the IP address
     * must be set. Thread: any.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this terminal's settings, to derive a changed copy. Thread: any.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.ipAddress = ipAddress;
        builder.port = port;
        builder.compatibilityPort = compatibilityPort;
        builder.socketMode = socketMode;
        builder.terminalType = terminalType;
        builder.mode = mode;
        builder.workstationId = workstationId;
        builder.languageCode = languageCode;
        builder.requestToken = requestToken;
        builder.connectTimeoutMillis = connectTimeoutMillis;
        builder.abortTimeoutMillis = abortTimeoutMillis;
        builder.responseTimeoutMillis = responseTimeoutMillis;
        builder.wireProfile = wireProfile;
        return builder;
    }

    /**
     * A copy of this terminal carrying the cashier's shift number (apps pass it to
     * {@code TerminalApi.ticketReprintPeriodClosing}). A copy, not this object: a terminal is immutable and may be
     * shared between threads. The copy is {@link #equals equal} to this terminal and uses the same connection.
     *
     * <p>Every request made with the copy carries it in {@code POSdata}: as the {@code ShiftNumber} attribute on
     * OPI-NL (what a public firmware for a CCV terminal sends), as an element on OPI-DE; a {@link WireProfile} can
     * choose the other form. Thread: any.
     *
     * @param shiftNumber the shift number, not negative
     * @return a new terminal with every setting of this one and {@code shiftNumber}
     * @throws IllegalArgumentException if {@code shiftNumber} is negative
     */
    public ExternalTerminal shiftNumber(int shiftNumber) {
        if (shiftNumber < 0) {
            throw new IllegalArgumentException("shiftNumber must not be negative, was " + shiftNumber);
        }
        return new ExternalTerminal(toBuilder(), shiftNumber);
    }

    /**
     * The shift number set with {@link #shiftNumber(int)}, sent in every request's POSdata. Thread: any.
     *
     * @return the shift number, or null when none was set
     */
    public @Nullable Integer shiftNumber() {
        return shiftNumber;
    }

    /** @return the shift number, or null; see {@link #shiftNumber()}. Thread: any. */
    public @Nullable Integer getShiftNumber() {
        return shiftNumber;
    }

    /**
     * Extension: the wire profile overrides set with {@link Builder#wireProfile}. Thread: any.
     *
     * @return the overrides, or null when the dialect's profile applies unchanged
     */
    public @Nullable WireProfile wireProfile() {
        return wireProfile;
    }

    /** @return the terminal's IP address or host name. Thread: any. */
    public String ipAddress() {
        return ipAddress;
    }

    /** @return the terminal's IP address or host name. Thread: any. */
    public String getIpAddress() {
        return ipAddress;
    }

    /** @return the port the terminal listens on for requests (channel 0). Thread: any. */
    public int port() {
        return port;
    }

    /** @return the port the terminal listens on for requests (channel 0). Thread: any. */
    public int getPort() {
        return port;
    }

    /** @return the port the POS listens on for device requests (channel 1; 0 = any free port). Thread: any. */
    public int compatibilityPort() {
        return compatibilityPort;
    }

    /** @return the port the POS listens on for device requests (channel 1; 0 = any free port). Thread: any. */
    public int getCompatibilityPort() {
        return compatibilityPort;
    }

    /** @return single or dual socket. Thread: any. */
    public SocketMode socketMode() {
        return socketMode;
    }

    /** @return single or dual socket. Thread: any. */
    public SocketMode getSocketMode() {
        return socketMode;
    }

    /** @return the OPI dialect. Thread: any. */
    public TerminalType terminalType() {
        return terminalType;
    }

    /** @return the OPI dialect. Thread: any. */
    public TerminalType getTerminalType() {
        return terminalType;
    }

    /** @return attended or unattended (accepted and ignored). Thread: any. */
    public Mode mode() {
        return mode;
    }

    /** @return attended or unattended (accepted and ignored). Thread: any. */
    public Mode getMode() {
        return mode;
    }

    /** @return the POS workstation id sent with every request. Thread: any. */
    public String workstationId() {
        return workstationId;
    }

    /** @return the POS workstation id sent with every request. Thread: any. */
    public String getWorkstationId() {
        return workstationId;
    }

    /** @return the language of the terminal's texts. Thread: any. */
    public LanguageCode languageCode() {
        return languageCode;
    }

    /** @return the language of the terminal's texts. Thread: any. */
    public LanguageCode getLanguageCode() {
        return languageCode;
    }

    /** @return whether a card token was asked for (accepted; not sent yet by this SDK). Thread: any. */
    public boolean requestToken() {
        return requestToken;
    }

    /** @return whether a card token was asked for (accepted; not sent yet by this SDK). Thread: any. */
    public boolean isRequestToken() {
        return requestToken;
    }

    /** @return how long connecting may take, in ms; 0 = the SDK's default (5 s). Thread: any. */
    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** @return how long connecting may take, in ms; 0 = the SDK's default (5 s). Thread: any. */
    public long getConnectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** @return how long to wait for an abort's answer, in ms; 0 = CCV's default (6 s NL, 5 s DE). Thread: any. */
    public long abortTimeoutMillis() {
        return abortTimeoutMillis;
    }

    /** @return how long to wait for an abort's answer, in ms; 0 = CCV's default (6 s NL, 5 s DE). Thread: any. */
    public long getAbortTimeoutMillis() {
        return abortTimeoutMillis;
    }

    /** @return how long to wait for any other answer, in ms; 0 = CCV's default (120 s NL, 130 s DE). Thread: any. */
    public long responseTimeoutMillis() {
        return responseTimeoutMillis;
    }

    /** @return how long to wait for any other answer, in ms; 0 = CCV's default (120 s NL, 130 s DE). Thread: any. */
    public long getResponseTimeoutMillis() {
        return responseTimeoutMillis;
    }

    /**
     * Equal when every connection setting is equal; the {@link #shiftNumber()} is not one. Thread: any.
     *
     * @param other another object
     * @return whether it is an equal terminal
     */
    @Override
    public boolean equals(@Nullable Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ExternalTerminal)) {
            return false;
        }
        ExternalTerminal that = (ExternalTerminal) other;
        return port == that.port && compatibilityPort == that.compatibilityPort
                && requestToken == that.requestToken && connectTimeoutMillis == that.connectTimeoutMillis
                && abortTimeoutMillis == that.abortTimeoutMillis
                && responseTimeoutMillis == that.responseTimeoutMillis && ipAddress.equals(that.ipAddress)
                && socketMode == that.socketMode && terminalType == that.terminalType && mode == that.mode
                && workstationId.equals(that.workstationId) && languageCode == that.languageCode
                && Objects.equals(wireProfile, that.wireProfile);
    }

    /** @return a hash of every setting. Thread: any. */
    @Override
    public int hashCode() {
        return Objects.hash(ipAddress, port, compatibilityPort, socketMode, terminalType, mode, workstationId,
                languageCode, requestToken, connectTimeoutMillis, abortTimeoutMillis, responseTimeoutMillis);
    }

    /** @return every setting, for support logs. Thread: any. */
    @Override
    public String toString() {
        return "ExternalTerminal{" + terminalType + " " + ipAddress + ":" + port + ", compatibilityPort="
                + compatibilityPort + ", " + socketMode + ", workstationId=" + workstationId + ", language="
                + languageCode.code() + ", mode=" + mode + ", requestToken=" + requestToken
                + ", timeouts(ms) connect=" + connectTimeoutMillis + " abort=" + abortTimeoutMillis
                + " response=" + responseTimeoutMillis + (shiftNumber != null ? ", shiftNumber=" + shiftNumber : "")
                + "}";
    }

    /**
     * Collects the settings of an {@link ExternalTerminal}. Not thread-safe: use one builder on one thread.
     * Every setter returns this builder.
     */
    public static final class Builder {
        private String ipAddress;
        private Integer port;
        private Integer compatibilityPort;
        private SocketMode socketMode;
        private TerminalType terminalType = TerminalType.OPI_NL;
        private Mode mode = Mode.ATTENDED;
        private String workstationId = "POS1";
        private LanguageCode languageCode = LanguageCode.EN;
        private boolean requestToken;
        private long connectTimeoutMillis;
        private long abortTimeoutMillis;
        private long responseTimeoutMillis;
        private WireProfile wireProfile;

        private Builder() {
        }

        /**
         * Extension: overrides of how requests to this terminal are spelled where public sources disagree
         * (see {@link WireProfile}). Default: none, the dialect's evidence-based profile. Thread: any.
         *
         * @param wireProfile the overrides, or null for none
         * @return this builder
         */
        public Builder wireProfile(@Nullable WireProfile wireProfile) {
            this.wireProfile = wireProfile;
            return this;
        }

        /**
         * The terminal's IP address (or host name). Required.
         *
         * @param ipAddress for example {@code "192.168.1.20"}
         * @return this builder
         * @throws NullPointerException if {@code ipAddress} is null
         */
        public Builder ipAddress(String ipAddress) {
            this.ipAddress = Objects.requireNonNull(ipAddress, "ipAddress must not be null");
            return this;
        }

        /**
         * The port the terminal listens on (channel 0). Default: 4100 (OPI-NL) or 20002 (OPI-DE).
         *
         * @param port 1 to 65535
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is outside 1..65535
         */
        public Builder port(int port) {
            this.port = checkPort("port", port, 1);
            return this;
        }

        /**
         * The port the POS listens on for the terminal's device requests (channel 1, dual socket only).
         * Default: 4102 (OPI-NL) or 20007 (OPI-DE); 0 lets the system pick a free port.
         *
         * @param compatibilityPort 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if {@code compatibilityPort} is outside 0..65535
         */
        public Builder compatibilityPort(int compatibilityPort) {
            this.compatibilityPort = checkPort("compatibilityPort", compatibilityPort, 0);
            return this;
        }

        /**
         * Single or dual socket. Default: dual for OPI-NL, single for OPI-DE.
         *
         * @param socketMode the mode
         * @return this builder
         * @throws NullPointerException if {@code socketMode} is null
         */
        public Builder socketMode(SocketMode socketMode) {
            this.socketMode = Objects.requireNonNull(socketMode, "socketMode must not be null");
            return this;
        }

        /**
         * The OPI dialect. Default: {@link TerminalType#OPI_NL}. Port defaults follow it unless set.
         *
         * @param terminalType the dialect
         * @return this builder
         * @throws NullPointerException if {@code terminalType} is null
         */
        public Builder terminalType(TerminalType terminalType) {
            this.terminalType = Objects.requireNonNull(terminalType, "terminalType must not be null");
            return this;
        }

        /**
         * Attended, unattended or compatible; accepted and ignored. Default: {@link Mode#ATTENDED}, so leaving it
         * unset is never an error (CCV's SDK needs it set).
         *
         * @param mode the mode
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode must not be null");
            return this;
        }

        /**
         * The POS workstation id. Default: {@code "POS1"}.
         *
         * @param workstationId the id
         * @return this builder
         * @throws NullPointerException if {@code workstationId} is null
         */
        public Builder workstationId(String workstationId) {
            this.workstationId = Objects.requireNonNull(workstationId, "workstationId must not be null");
            return this;
        }

        /**
         * The language of the terminal's texts. Default: {@link LanguageCode#EN}.
         *
         * @param languageCode the language
         * @return this builder
         * @throws NullPointerException if {@code languageCode} is null
         */
        public Builder languageCode(LanguageCode languageCode) {
            this.languageCode = Objects.requireNonNull(languageCode, "languageCode must not be null");
            return this;
        }

        /**
         * Ask for a card token with payments. Accepted for compatibility; this SDK does not send it yet.
         *
         * @param requestToken whether to ask
         * @return this builder
         */
        public Builder requestToken(boolean requestToken) {
            this.requestToken = requestToken;
            return this;
        }

        /**
         * Extension: how long connecting to the terminal may take. 0 (default) = 5 s.
         *
         * @param millis milliseconds, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder connectTimeoutMillis(long millis) {
            this.connectTimeoutMillis = checkMillis("connectTimeoutMillis", millis);
            return this;
        }

        /**
         * Extension: how long to wait for the answer to an abort. 0 (default) = CCV's value: 6 s (OPI-NL),
         * 5 s (OPI-DE).
         *
         * @param millis milliseconds, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder abortTimeoutMillis(long millis) {
            this.abortTimeoutMillis = checkMillis("abortTimeoutMillis", millis);
            return this;
        }

        /**
         * Extension: how long to wait for the answer to a payment or administrative request. 0 (default) =
         * CCV's value: 120 s (OPI-NL), 130 s (OPI-DE).
         *
         * @param millis milliseconds, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder responseTimeoutMillis(long millis) {
            this.responseTimeoutMillis = checkMillis("responseTimeoutMillis", millis);
            return this;
        }

        /**
         * The terminal. Thread: the builder's.
         *
         * @return a new immutable terminal
         * @throws NullPointerException if no IP address was set
         */
        public ExternalTerminal build() {
            return new ExternalTerminal(this);
        }

        private static int checkPort(String name, int port, int lowest) {
            if (port < lowest || port > 65535) {
                throw new IllegalArgumentException(name + " must be in " + lowest + "..65535, was " + port);
            }
            return port;
        }

        private static long checkMillis(String name, long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException(name + " must not be negative, was " + millis);
            }
            return millis;
        }
    }
}
