package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

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

    private Payment(Builder builder) {
        this.type = builder.type;
        this.amount = Objects.requireNonNull(builder.amount, "amount must not be null");
        this.originalStan = builder.originalStan;
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
        return new Builder().type(type).amount(amount).originalStan(originalStan);
    }

    /**
     * Extension: the STAN of the transaction a {@link Type#VOID} or {@link Type#CAPTURE} refers to,
     * or null. Thread: any.
     *
     * @return the STAN or null
     */
    public String originalStan() {
        return originalStan;
    }

    /**
     * Extension: see {@link #originalStan()}. Thread: any.
     *
     * @return the STAN or null
     */
    public String getOriginalStan() {
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

    /** @return the amount. Thread: any. */
    public Money amount() {
        return amount;
    }

    /** @return the amount. Thread: any. */
    public Money getAmount() {
        return amount;
    }

    /**
     * Equal when type and amount are equal. Thread: any.
     *
     * @param other another object
     * @return whether it is an equal payment
     */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Payment)) {
            return false;
        }
        Payment that = (Payment) other;
        return type == that.type && amount.equals(that.amount) && Objects.equals(originalStan, that.originalStan);
    }

    /** @return a hash of type, amount and original STAN. Thread: any. */
    @Override
    public int hashCode() {
        return Objects.hash(type, amount, originalStan);
    }

    /** @return for example {@code "Payment{SALE 12.50 EUR}"}. Thread: any. */
    @Override
    public String toString() {
        return "Payment{" + type + " " + amount + "}";
    }

    /** Collects a payment's values. Not thread-safe. Every setter returns this builder. */
    public static final class Builder {
        private Type type = Type.SALE;
        private Money amount;
        private String originalStan;

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
         * The amount. Required.
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
        public Builder originalStan(String stan) {
            this.originalStan = stan;
            return this;
        }

        /**
         * The payment. Thread: the builder's.
         *
         * @return a new immutable payment
         * @throws NullPointerException if no amount was set
         */
        public Payment build() {
            return new Payment(this);
        }
    }
}
