package eu.ccvlab.mapi.core.payment;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * An amount in a currency, exactly as given: the SDK sends {@code value.toPlainString()} to the terminal and
 * does not round, rescale or range-check it (the terminal validates amounts; certification S1A–S1D).
 */
public final class Money {
    private final BigDecimal value;
    private final Currency currency;

    /**
     * Thread: any.
     *
     * @param value    the amount, for example {@code new BigDecimal("12.50")}
     * @param currency the currency, for example {@code Currency.getInstance("EUR")}
     * @throws NullPointerException if an argument is null
     */
    public Money(BigDecimal value, Currency currency) {
        this.value = Objects.requireNonNull(value, "value must not be null");
        this.currency = Objects.requireNonNull(currency, "currency must not be null");
    }

    /** @return the amount as given. Thread: any. */
    public BigDecimal value() {
        return value;
    }

    /** @return the amount as given. Thread: any. */
    public BigDecimal getValue() {
        return value;
    }

    /** @return the currency. Thread: any. */
    public Currency currency() {
        return currency;
    }

    /** @return the currency. Thread: any. */
    public Currency getCurrency() {
        return currency;
    }

    /**
     * Equal when value (including its scale: 12.5 differs from 12.50) and currency are equal. Thread: any.
     *
     * @param other another object
     * @return whether it is equal money
     */
    @Override
    public boolean equals(@Nullable Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Money)) {
            return false;
        }
        Money that = (Money) other;
        return value.equals(that.value) && currency.equals(that.currency);
    }

    /** @return a hash of value and currency. Thread: any. */
    @Override
    public int hashCode() {
        return Objects.hash(value, currency);
    }

    /** @return for example {@code "12.50 EUR"}. Thread: any. */
    @Override
    public String toString() {
        return value.toPlainString() + " " + currency.getCurrencyCode();
    }
}
