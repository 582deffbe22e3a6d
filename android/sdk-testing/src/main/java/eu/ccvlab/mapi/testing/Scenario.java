package eu.ccvlab.mapi.testing;

/**
 * What a {@link TerminalSimulator} does with the payments it receives: one preset of the simulator
 * ({@code Script::from_name} in the Rust crate), named for the behaviour and, where it has one, for the CCV
 * certification case it lets a POS pass. Every payment run reads the scenario once, when its request arrives;
 * {@link TerminalSimulator#setScenario} changes it for the next run.
 *
 * <p>Values are immutable; use them from any thread.
 */
public enum Scenario {
    /** The happy flow (C1A): display lines, receipts, e-journal, then an approved payment. */
    SUCCESS("success"),
    /** The host declines the payment (C1E): the payment ends in {@code onPaymentError} with FAILURE. */
    DECLINED("declined"),
    /** A terminal occupied by another POS: every request is answered Busy without device requests. */
    BUSY("busy"),
    /** The card reader is unavailable (Q1F): the payment is answered DeviceUnavailable. */
    DEVICE_UNAVAILABLE("device-unavailable"),
    /**
     * Abort accepted (F1A): the cardholder takes seconds to present the card, so an abort sent once
     * {@link TerminalSimulator.Step#AWAITING_CARD} is reached is accepted and the payment ends ABORTED.
     * {@link TerminalSimulator#releaseCard()} presents the card at once.
     */
    ABORT_ACCEPTED("abort-window"),
    /**
     * Abort too late (F1B): the card is authorised at once and completion takes seconds, so an abort sent once
     * {@link TerminalSimulator.Step#AWAITING_COMPLETION} is reached is refused and the payment still succeeds.
     * {@link TerminalSimulator#releaseCompletion()} completes it at once.
     */
    ABORT_TOO_LATE("too-late"),
    /**
     * Both waiting points held until the test releases them ({@link TerminalSimulator#releaseCard()},
     * {@link TerminalSimulator#releaseCompletion()}): the test decides exactly when each step happens.
     */
    HOLD("hold"),
    /**
     * Terminal not responding (Q1G): the payment is received and decided but never answered; the POS times out
     * ({@code responseTimeoutMillis}) and recovers it with RepeatLastMessage.
     */
    TERMINAL_SILENT("silent"),
    /**
     * Connection lost after authorisation (T1A): money has moved, the terminal closes the connection, and the POS
     * must recover the payment ({@code TerminalService.recoverPayment}).
     */
    CONNECTION_DROP("close-after-authorisation"),
    /** The terminal closes the connection as soon as the payment arrives, before any device request. */
    CONNECTION_DROP_ON_REQUEST("close-after-request"),
    /** The terminal closes the connection with the response ready instead of sending it. */
    CONNECTION_DROP_BEFORE_RESPONSE("close-before-response"),
    /**
     * Signature check (U1B): the terminal asks the cashier whether the customer's signature matches
     * ({@code PaymentDelegate.askCustomerSignature}); "yes" approves, "no" declines.
     */
    SIGNATURE_REQUEST("signature"),
    /** Identification check (U1A): after authorisation the cashier is asked to check the customer's identity. */
    IDENTIFICATION("identification"),
    /** U1C: the signature question, then the identification question. */
    SIGNATURE_AND_IDENTIFICATION("signature-and-identification"),
    /** C1G: the terminal also sends text for the customer display. */
    CUSTOMER_DISPLAY("customer-display"),
    /** The terminal ignores aborts: the POS's abort timeout must end the abort call. */
    IGNORE_ABORTS("ignore-aborts"),
    /** Abort accepted, but the abort's response arrives before the payment's (the reverse of the usual order). */
    ABORT_RESPONSES_FIRST("abort-responses-first"),
    /** Broken XML instead of the payment's response: the POS must report an error, not crash. */
    MALFORMED_RESPONSE("garbage"),
    /** A response without its length prefix (reads as a ~1 GB frame): the POS must refuse it without allocating. */
    HUGE_LENGTH("huge-length"),
    /** A well-formed message OPI does not define, before the real response: the POS must skip it. */
    UNKNOWN_MESSAGE("unknown-message"),
    /** A response carrying a RequestID nobody asked for, before the real one: the POS must not take it. */
    WRONG_REQUEST_ID("wrong-request-id"),
    /**
     * CCV's unattended DeliveryBox step: after the card, the terminal asks whether the goods were delivered
     * ({@code PaymentDelegate.onDeliverGoodsOrServices}); "not delivered", or no answer in time, aborts the payment.
     */
    DELIVERY_BOX("delivery-box"),
    /** After the receipts, an electronic receipt for the customer ({@code PaymentDelegate.eReceipt}). */
    E_RECEIPT("e-receipt"),
    /** A terminal without the authorise-and-capture flow: reservations and captures are answered NotSupported. */
    NO_AUTH_AND_CAPTURE("no-auth-and-capture"),
    /**
     * The connection drops after authorisation, and the terminal answers the first recovery (RepeatLastMessage)
     * Busy before it tells the truth: the payment stays pending, then is recovered.
     */
    RECOVERY_BUSY_FIRST("close-after-authorisation-recovery-busy"),
    /**
     * The connection drops after authorisation, and the terminal answers the recovery PrintLastTicket: the POS
     * reprints the ticket and the payment needs an operator.
     */
    RECOVERY_PRINT_LAST_TICKET("close-after-authorisation-print-last-ticket"),
    /** Before the card is asked for, a DCC offer to print for the customer ({@code PaymentDelegate.printDccOffer}). */
    DCC_OFFER("dcc"),
    /** After the receipts, a journal receipt for the POS to print or store. */
    JOURNAL_RECEIPT("journal-receipt"),
    /** A Mifare card read ({@code readMifareUID}) finds a card the terminal does not know: UnknownCard. */
    MIFARE_UNKNOWN("mifare-unknown"),
    /** A Mifare card read finds no card in time: TimedOut. */
    MIFARE_ABSENT("mifare-absent");

    private final String preset;

    Scenario(String preset) {
        this.preset = preset;
    }

    /**
     * The simulator preset this scenario selects, as the Rust crate's {@code terminal_simulator} example
     * names it. Thread: any.
     *
     * @return for example {@code "abort-window"}
     */
    public String presetName() {
        return preset;
    }
}
