package eu.ccvlab.mapi.core;

/**
 * The OPI card service request types, as the apps name the kind of an earlier transaction (for example
 * {@code Payment.Builder.originalTransactionRequestType(RequestType.CARD_PAYMENT)} when a refund refers to a
 * sale). {@link #opiName()} is the value of the OPI {@code RequestType} attribute.
 */
public enum RequestType {
    /** A sale (OPI CardPayment). */
    CARD_PAYMENT("CardPayment"),
    /** A refund (OPI PaymentRefund). */
    PAYMENT_REFUND("PaymentRefund"),
    /** A void (OPI PaymentReversal). */
    PAYMENT_REVERSAL("PaymentReversal"),
    /** A reservation (OPI CardPreAuthorisation). */
    CARD_PRE_AUTHORISATION("CardPreAuthorisation"),
    /** A capture of a reservation (OPI CardFinancialAdvice). */
    CARD_FINANCIAL_ADVICE("CardFinancialAdvice"),
    /** A reprint of the last ticket (OPI TicketReprint). */
    TICKET_REPRINT("TicketReprint"),
    /** A card read without payment (OPI CardDetection). */
    CARD_DETECTION("CardDetection"),
    /** A card validation (OPI CardValidation). */
    CARD_VALIDATION("CardValidation"),
    /** A request for the terminal's last answer (OPI RepeatLastMessage). */
    REPEAT_LAST_MESSAGE("RepeatLastMessage"),
    /** An abort of the running request (OPI AbortRequest). */
    ABORT_REQUEST("AbortRequest");

    private final String opiName;

    RequestType(String opiName) {
        this.opiName = opiName;
    }

    /** @return the OPI attribute value, for example {@code "CardPayment"}. Thread: any. */
    public String opiName() {
        return opiName;
    }
}
