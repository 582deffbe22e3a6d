package eu.ccvlab.mapi.core.payment;

import org.jspecify.annotations.Nullable;

/**
 * The card of a payment, as {@link PaymentResult#getCard()} reports it. Only masked card data: the SDK never
 * hands out a full card number. Immutable; thread-safe.
 */
public final class Card {
    private final String pan;
    private final String cardCircuit;

    /**
     * Thread: any.
     *
     * @param pan         the card number, masked, or null
     * @param cardCircuit the card brand, or null
     */
    public Card(@Nullable String pan, @Nullable String cardCircuit) {
        this.pan = pan;
        this.cardCircuit = cardCircuit;
    }

    /** @return the card number as the terminal reported it, masked (for example "6799******0019"), or null. Thread: any. */
    public @Nullable String pan() {
        return pan;
    }

    /** @return the masked card number; see {@link #pan()}. Thread: any. */
    public @Nullable String getPan() {
        return pan;
    }

    /**
     * A hash of the card number. Always null in this SDK: the OPI answers the engine reads carry no such field.
     * Thread: any.
     *
     * @return null
     */
    public @Nullable String panHash() {
        return null;
    }

    /** @return null; see {@link #panHash()}. Thread: any. */
    public @Nullable String getPanHash() {
        return null;
    }

    /** @return the card brand (for example "MAESTRO"), or null. Thread: any. */
    public @Nullable String cardCircuit() {
        return cardCircuit;
    }

    /** @return the card brand, or null. Thread: any. */
    public @Nullable String getCardCircuit() {
        return cardCircuit;
    }

    /** @return the brand and masked number. Thread: any. */
    @Override
    public String toString() {
        return "Card{" + cardCircuit + ", pan=" + pan + "}";
    }
}
