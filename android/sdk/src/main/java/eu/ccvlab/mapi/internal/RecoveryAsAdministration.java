package eu.ccvlab.mapi.internal;

import java.util.List;

import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * A recovery asked with a plain {@link TerminalDelegate}: every callback goes to that delegate, and the recovered
 * payment's result arrives as {@code onPaymentAdministrationSuccess} whose data is the {@link PaymentResult}
 * (state = the payment's, request type "RepeatLastMessage"). Runs on the callback executor like any delegate.
 */
final class RecoveryAsAdministration implements PaymentDelegate {
    /** The request type of the administration result that carries a recovered payment. */
    static final String REQUEST_TYPE = "RepeatLastMessage";

    private final TerminalDelegate delegate;

    RecoveryAsAdministration(TerminalDelegate delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onPaymentSuccess(PaymentResult result) {
        settled(result);
    }

    @Override
    public void onPaymentError(PaymentResult result) {
        settled(result);
    }

    private void settled(PaymentResult result) {
        delegate.onPaymentAdministrationSuccess(new PaymentAdministrationResult<>(result.resultState(),
                result.requestId(), REQUEST_TYPE, result, result.terminalId()));
    }

    @Override
    public void showTerminalOutputLines(List<TextLine> lines) {
        delegate.showTerminalOutputLines(lines);
    }

    @Override
    public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
        delegate.printMerchantReceiptAndSignature(receipt);
    }

    @Override
    public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
        delegate.printCustomerReceiptAndSignature(receipt);
    }

    @Override
    public void printJournalReceipt(PaymentReceipt receipt) {
        delegate.printJournalReceipt(receipt);
    }

    @Override
    public void storeEJournal(String journal) {
        delegate.storeEJournal(journal);
    }

    @Override
    public void configData(ConfigData configData) {
        delegate.configData(configData);
    }

    @Override
    public void eReceipt(EReceiptRequest eReceiptRequest) {
        delegate.eReceipt(eReceiptRequest);
    }

    @Override
    public void cardUID(String uid) {
        delegate.cardUID(uid);
    }

    @Override
    public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
        delegate.onPaymentAdministrationSuccess(result);
    }

    @Override
    public void onError(Error error) {
        delegate.onError(error);
    }

    @Override
    public String toString() {
        return "RecoveryAsAdministration{" + delegate.getClass().getName() + "}";
    }
}
