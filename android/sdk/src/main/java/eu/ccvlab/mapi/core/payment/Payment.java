package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

import eu.ccvlab.mapi.core.RequestType;

import org.jspecify.annotations.Nullable;

/**
 * A payment to run: its type and amount. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * Payment payment = Payment.builder()
 *         .type(Payment.Type.SALE)
 *         .amount(new Money(new BigDecimal("12.50"), Currency.getInstance("EUR")))
 *         .build();
 * }</pre>
 */
public final class Payment {

    /** The kind of money movement. */
    public enum Type {
        /** A sale (OPI CardPayment). */
        SALE,
        /** Money back to the card (OPI PaymentRefund). */
        REFUND,
        /** Void of the last transaction, or of the one named by {@link Builder#originalStan} (OPI PaymentReversal). */
        VOID,
        /** Reserve an amount, for example at a hotel or charger (OPI CardPreAuthorisation). */
        RESERVATION,
        /**
         * Take (part of) a reserved amount, naming the reservation by {@link Builder#originalStan}
         * (OPI CardFinancialAdvice); EUR 0.00 ends an unattended session with nothing taken.
         * Extension: CCV's name for it is not public.
         */
        CAPTURE
    }

    private final Type type;
    private final Money amount;
    private final String originalStan;
    private final String requestId;
    private final String posTimestamp;
    private final String transactionId;
    private final String approvalCode;
    private final String token;
    private final String merchantReference;
    private final Integer referenceNumber;
    private final RequestType originalTransactionRequestType;

    private Payment(Builder builder) {
        this.type = builder.type;
        if (builder.type != Type.VOID) {
            Objects.requireNonNull(builder.amount, "amount must not be null (only a VOID may leave it out)");
        }
        this.amount = builder.amount;
        this.originalStan = builder.originalStan;
        this.requestId = builder.requestId;
        this.posTimestamp = builder.posTimestamp;
        this.transactionId = builder.transactionId;
        this.approvalCode = builder.approvalCode;
        this.token = builder.token;
        this.merchantReference = builder.merchantReference;
        this.referenceNumber = builder.referenceNumber;
        this.originalTransactionRequestType = builder.originalTransactionRequestType;
    }

    /**
     * A new builder; the type defaults to {@link Type#SALE}, the amount must be set. Thread: any.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this payment's values. Thread: any.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder().type(type).originalStan(originalStan).requestId(requestId)
                .posTimestamp(posTimestamp).transactionId(transactionId).approvalCode(approvalCode).token(token)
                .merchantReference(merchantReference).originalTransactionRequestType(originalTransactionRequestType);
        builder.amount = amount;
        builder.referenceNumber = referenceNumber;
        return builder;
    }

    /**
     * Extension: the STAN of the transaction a {@link Type#VOID} or {@link Type#CAPTURE} refers to,
     * or null. Thread: any.
     *
     * @return the STAN or null
     */
    public @Nullable String originalStan() {
        return originalStan;
    }

    /**
     * Extension: see {@link #originalStan()}. Thread: any.
     *
     * @return the STAN or null
     */
    public @Nullable String getOriginalStan() {
        return originalStan;
    }

    /** @return the kind of payment. Thread: any. */
    public Type type() {
        return type;
    }

    /** @return the kind of payment. Thread: any. */
    public Type getType() {
        return type;
    }

    /**
     * The amount. Null only for a {@link Type#VOID} built without one, which is sent to the terminal without an amount
     * (the engine needs an amount). Thread: any.
     *
     * @return the amount, or null
     */
    public @Nullable Money amount() {
        return amount;
    }

    /** @return the amount, or null; see {@link #amount()}. Thread: any. */
    public @Nullable Money getAmount() {
        return amount;
    }

    /**
     * The RequestID the app chose (see {@link Builder#requestId}): the payment goes out with it. Thread: any.
     *
     * @return the RequestID, or null
     */
    public @Nullable String requestId() {
        return requestId;
    }

    /** @return the app's RequestID, or null; see {@link #requestId()}. Thread: any. */
    public @Nullable String getRequestId() {
        return requestId;
    }

    /**
     * The POS timestamp the app set (see {@link Builder#posTimestamp}), sent as the request's POSTimeStamp.
     * Thread: any.
     *
     * @return the timestamp as given, or null
     */
    public @Nullable String posTimestamp() {
        return posTimestamp;
    }

    /** @return the app's POS timestamp, or null; see {@link #posTimestamp()}. Thread: any. */
    public @Nullable String getPosTimestamp() {
        return posTimestamp;
    }

    /** @return the transaction id the app set, or null; not sent yet (see {@link Builder#transactionId}). Thread: any. */
    public @Nullable String transactionId() {
        return transactionId;
    }

    /** @return the approval code the app set, or null; not sent yet (see {@link Builder#approvalCode}). Thread: any. */
    public @Nullable String approvalCode() {
        return approvalCode;
    }

    /** @return the card token the app set, or null; not sent yet (see {@link Builder#token}). Thread: any. */
    public @Nullable String token() {
        return token;
    }

    /**
     * @return the merchant reference the app set, or null; sent only under {@code payment-references = ifsf} (see
     *         {@link Builder#merchantReference}).
     *         Thread: any.
     */
    public @Nullable String merchantReference() {
        return merchantReference;
    }

    /**
     * @return the reference number the app set, or null; sent only under {@code payment-references = ifsf} (see
     *         {@link Builder#referenceNumber}).
     *         Thread: any.
     */
    public @Nullable Integer referenceNumber() {
        return referenceNumber;
    }

    /**
     * @return the request type of the original transaction the app set, or null; not sent yet (see
     *         {@link Builder#originalTransactionRequestType}). Thread: any.
     */
    public @Nullable RequestType originalTransactionRequestType() {
        return originalTransactionRequestType;
    }

    /**
     * Equal when every value is equal. Thread: any.
     *
     * @param other another object
     * @return whether it is an equal payment
     */
    @Override
    public boolean equals(@Nullable Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Payment)) {
            return false;
        }
        Payment that = (Payment) other;
        return type == that.type && Objects.equals(amount, that.amount) && Objects.equals(originalStan, that.originalStan)
                && Objects.equals(requestId, that.requestId) && Objects.equals(posTimestamp, that.posTimestamp)
                && Objects.equals(transactionId, that.transactionId) && Objects.equals(approvalCode, that.approvalCode)
                && Objects.equals(token, that.token) && Objects.equals(merchantReference, that.merchantReference)
                && Objects.equals(referenceNumber, that.referenceNumber)
                && originalTransactionRequestType == that.originalTransactionRequestType;
    }

    /** @return a hash of every value. Thread: any. */
    @Override
    public int hashCode() {
        return Objects.hash(type, amount, originalStan, requestId, posTimestamp, transactionId, approvalCode, token,
                merchantReference, referenceNumber, originalTransactionRequestType);
    }

    /** @return for example {@code "Payment{SALE 12.50 EUR}"}. Thread: any. */
    @Override
    public String toString() {
        return "Payment{" + type + " " + (amount != null ? amount : "no amount")
                + (requestId != null ? ", requestId=" + requestId : "")
                + (posTimestamp != null ? ", posTimestamp=" + posTimestamp : "") + "}";
    }

    /** Collects a payment's values. Not thread-safe. Every setter returns this builder. */
    public static final class Builder {
        private Type type = Type.SALE;
        private Money amount;
        private String originalStan;
        private String requestId;
        private String posTimestamp;
        private String transactionId;
        private String approvalCode;
        private String token;
        private String merchantReference;
        private Integer referenceNumber;
        private RequestType originalTransactionRequestType;

        private Builder() {
        }

        /**
         * The kind of payment. Default {@link Type#SALE}.
         *
         * @param type the kind
         * @return this builder
         * @throws NullPointerException if {@code type} is null
         */
        public Builder type(Type type) {
            this.type = Objects.requireNonNull(type, "type must not be null");
            return this;
        }

        /**
         * The amount. Required, except for a {@link Type#VOID}: a VOID built without one is sent without an amount (the reversal names its transaction).
         *
         * @param amount the amount, sent as given
         * @return this builder
         * @throws NullPointerException if {@code amount} is null
         */
        public Builder amount(Money amount) {
            this.amount = Objects.requireNonNull(amount, "amount must not be null");
            return this;
        }

        /**
         * Extension: the STAN of the transaction to void or capture (null: the last one). OPI-NL
         * terminals can only void the last transaction: naming one there ends in
         * {@code VOID_SPECIFIC_SALE_NOT_SUPPORTED}.
         *
         * @param stan the STAN as the terminal printed it (leading zeros kept), or null
         * @return this builder
         */
        public Builder originalStan(@Nullable String stan) {
            this.originalStan = stan;
            return this;
        }

        /**
         * The RequestID the app wants for this payment: the payment goes out with it, its result and errors carry
         * it, and recovery finds the payment by it. The engine's own RequestIDs (aborts, recoveries, later
         * payments without one) continue above it, so they never repeat it. OPI-NL needs a number of at most 9
         * digits; 0 is not a RequestID. Keep the app's numbers unique: a RequestID the terminal has already seen
         * makes its answers ambiguous.
         *
         * @param requestId 1 to 9 digits, not all zeros, or null for the engine's own
         * @return this builder
         * @throws IllegalArgumentException if {@code requestId} is not 1 to 9 ASCII digits or is zero
         */
        public Builder requestId(@Nullable String requestId) {
            if (requestId != null && (!requestId.matches("[0-9]{1,9}") || requestId.matches("0+"))) {
                throw new IllegalArgumentException(
                        "requestId must be a number of 1 to 9 digits above 0 (OPI-NL), was '" + requestId + "'");
            }
            this.requestId = requestId;
            return this;
        }

        /**
         * The POS's local time of the request, as the app formats it (apps use
         * {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX}). Sent as the request's {@code POSTimeStamp} instead of the
         * engine's clock; {@code yyyy-MM-dd'T'HH:mm:ss} with an optional fraction and zone (the shapes public CCV
         * clients send), otherwise the payment ends in {@code onError} with a validation error before anything
         * is sent.
         *
         * @param posTimestamp the timestamp, or null
         * @return this builder
         */
        public Builder posTimestamp(@Nullable String posTimestamp) {
            this.posTimestamp = posTimestamp;
            return this;
        }

        /**
         * The id of the transaction a VOID refers to, as the app knows it. Kept on the {@link Payment} but
         * <b>not sent yet</b>; to void a specific transaction today use {@link #originalStan}.
         *
         * @param transactionId the id, or null
         * @return this builder
         */
        public Builder transactionId(@Nullable String transactionId) {
            this.transactionId = transactionId;
            return this;
        }

        /**
         * The approval code of an earlier transaction (a capture or an addressed refund refers to it). Kept on
         * the {@link Payment} but <b>not sent yet</b>.
         *
         * @param approvalCode the code, or null
         * @return this builder
         */
        public Builder approvalCode(@Nullable String approvalCode) {
            this.approvalCode = approvalCode;
            return this;
        }

        /**
         * A card token from an earlier result ({@code PaymentResult.token()}), to charge the same card. Kept on the
         * {@link Payment} but <b>not sent yet</b>. It is card data: never log it.
         *
         * @param token the token, or null
         * @return this builder
         */
        public Builder token(@Nullable String token) {
            this.token = token;
            return this;
        }

        /**
         * The app's own reference for this payment. Sent as {@code Acquirer@MerchantReference} (the IFSF model's
         * name) when the terminal's {@code WireProfile} says {@code payment-references = ifsf}; not sent by default,
         * since no public source shows how CCV carries it.
         *
         * @param merchantReference at most 100 characters, or null
         * @return this builder
         * @throws IllegalArgumentException if longer than 100 characters
         */
        public Builder merchantReference(@Nullable String merchantReference) {
            if (merchantReference != null && merchantReference.length() > 100) {
                throw new IllegalArgumentException(
                        "merchantReference must be at most 100 characters, was " + merchantReference.length());
            }
            this.merchantReference = merchantReference;
            return this;
        }

        /**
         * The receipt number of the transaction a refund refers to ({@code PaymentResult.receiptNumber()}). Sent
         * as {@code CardServiceRequest@ReferenceNumber} (the IFSF model's name) when the terminal's
         * {@code WireProfile} says {@code payment-references = ifsf}; not sent by default, since no public source
         * shows how CCV carries it (the terminal then asks for the card, as CCV's apps fall back to).
         *
         * @param referenceNumber the number, not negative
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder referenceNumber(int referenceNumber) {
            if (referenceNumber < 0) {
                throw new IllegalArgumentException("referenceNumber must not be negative, was " + referenceNumber);
            }
            this.referenceNumber = referenceNumber;
            return this;
        }

        /**
         * The request type of the transaction this one refers to (with {@link #approvalCode}). Kept on the
         * {@link Payment} but <b>not sent yet</b>.
         *
         * @param requestType the type, or null
         * @return this builder
         */
        public Builder originalTransactionRequestType(@Nullable RequestType requestType) {
            this.originalTransactionRequestType = requestType;
            return this;
        }

        /**
         * The payment. Thread: the builder's.
         *
         * @return a new immutable payment
         * @throws NullPointerException if no amount was set and the type is not {@link Type#VOID}
         */
        public Payment build() {
            return new Payment(this);
        }
    }
}
