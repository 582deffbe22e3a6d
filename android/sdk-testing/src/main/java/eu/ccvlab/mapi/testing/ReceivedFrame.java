package eu.ccvlab.mapi.testing;

/**
 * One frame a {@link TerminalSimulator} received from the POS, exactly as it came (without its length prefix),
 * with what the simulator read from it. Immutable; use from any thread.
 */
public final class ReceivedFrame {
    private final int channel;
    private final long connection;
    private final String rootElement;
    private final String requestType;
    private final String requestId;
    private final String xml;

    ReceivedFrame(int channel, long connection, String rootElement, String requestType, String requestId,
            String xml) {
        this.channel = channel;
        this.connection = connection;
        this.rootElement = rootElement;
        this.requestType = requestType;
        this.requestId = requestId;
        this.xml = xml;
    }

    /**
     * The OPI channel: 0 for the POS's requests (CardServiceRequest, ServiceRequest), 1 for its answers to the
     * terminal's device requests (DeviceResponse; in single socket mode these come on channel 0 too).
     *
     * @return 0 or 1
     */
    public int channel() {
        return channel;
    }

    /**
     * Which channel-0 connection carried the frame, counted from 1 in the order the simulator accepted them (an
     * {@code abortOnNewConnection} shows as a second connection).
     *
     * @return the connection number, or 0 on channel 1
     */
    public long connection() {
        return connection;
    }

    /**
     * The XML root element.
     *
     * @return for example {@code "CardServiceRequest"}, or {@code ""} if the frame did not parse as OPI
     */
    public String rootElement() {
        return rootElement;
    }

    /**
     * The OPI {@code RequestType} attribute.
     *
     * @return for example {@code "CardPayment"}, {@code "AbortRequest"}, {@code "RepeatLastMessage"}, or
     *         {@code ""} if the frame did not parse
     */
    public String requestType() {
        return requestType;
    }

    /**
     * The OPI {@code RequestID} attribute.
     *
     * @return the id as on the wire, or {@code ""} if the frame did not parse
     */
    public String requestId() {
        return requestId;
    }

    /**
     * Whether the simulator could read the frame as an OPI message.
     *
     * @return false for a frame that is not OPI XML
     */
    public boolean isParsed() {
        return !rootElement.isEmpty();
    }

    /**
     * The payload as text (UTF-8; bytes that are not UTF-8 show as U+FFFD).
     *
     * @return the XML the POS sent
     */
    public String xml() {
        return xml;
    }

    @Override
    public String toString() {
        return "ch" + channel + (channel == 0 ? "#" + connection : "") + " " + rootElement + " RequestType="
                + requestType + " RequestID=" + requestId;
    }
}
