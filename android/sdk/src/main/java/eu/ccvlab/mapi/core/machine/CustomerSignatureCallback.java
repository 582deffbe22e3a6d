package eu.ccvlab.mapi.core.machine;

/**
 * How the app hands back a signature the customer drew on the POS screen
 * ({@code PaymentDelegate.drawCustomerSignature}). The method names are guesses: CCV's public documentation
 * names the type but not its methods. Call exactly one method exactly once, from any thread.
 */
public interface CustomerSignatureCallback {
    /**
     * The customer signed. Thread: any; returns at once.
     *
     * @param signatureImage the signature as a PNG image
     */
    void onSignature(byte[] signatureImage);

    /** The customer did not (or could not) sign. Thread: any; returns at once. */
    void onFailure();

    /**
     * The customer signed: CCV's name for {@link #onSignature(byte[])}. Thread: any; returns at once.
     *
     * @param signatureImage the signature image
     */
    default void signature(byte[] signatureImage) {
        onSignature(signatureImage);
    }
}
