package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.payment.PaymentResult
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.nio.channels.FileChannel
import java.nio.file.StandardOpenOption
import java.util.Properties
import java.util.concurrent.atomic.AtomicLong
import java.util.logging.Level
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * A late payment outcome as [LateOutcomes.recorder] wrote it down: what a POS needs to book or refund it.
 * Immutable; read it on any thread.
 *
 * @property key what [LateOutcomes.acknowledge] takes
 * @property terminal the terminal, `address:port`
 * @property requestId the payment's RequestID, or null when nothing was sent
 * @property outcome `APPROVED` (money moved), `NOT_APPROVED`, `FAILED` or `NEEDS_RECOVERY` (unknown: recover it)
 * @property resultState the terminal's `ResultState` name, or null for an SDK error
 * @property amount the amount the terminal settled (`12.50 EUR`), else the amount asked, or null
 * @property abortSent whether the SDK had sent an AbortRequest for it
 * @property recordedAtMillis when it was written (ms since the epoch)
 * @property details the other fields (type, STAN, approval code, card circuit, masked PAN, receipt number,
 *   SDK error and detail), for the support log; the card token is never written
 */
public data class LateOutcomeRecord(
    val key: String,
    val terminal: String,
    val requestId: String?,
    val outcome: String,
    val resultState: String?,
    val amount: String?,
    val abortSent: Boolean,
    val recordedAtMillis: Long,
    val details: Map<String, String>,
)

/**
 * The durable record of late payment outcomes: one small file per outcome under `late-outcomes/` in the SDK's
 * state directory (`MapiConfig.getStateDirectory()`; on Android `MAPI.initialize` puts it in
 * `noBackupFilesDir`), kept until the app [acknowledge]s it. It exists because a late outcome arrives when no
 * screen or coroutine waits for it, and an approved payment nobody booked is money the POS cannot account for;
 * the SDK's own journal forgets a payment as soon as its outcome was handed to the app. Every member may be
 * used from any thread.
 */
public object LateOutcomes {
    private const val DIRECTORY = "late-outcomes"
    private const val SUFFIX = ".properties"
    private val memory = ArrayList<LateOutcomeRecord>()
    private val sequence = AtomicLong()
    private val KEY = Regex("late-[0-9]+-[0-9]+-[A-Za-z0-9]+")

    /**
     * The default [MapiCoroutines.lateOutcomeHandler]: writes each late outcome to the state directory before it
     * returns (written, flushed to the device, then renamed into place, so a crash leaves either nothing or the
     * whole record), and logs it at WARNING on logger `eu.ccvlab.mapi.ktx`. Without a state directory it keeps
     * the record in memory only and logs at SEVERE: set one (`MAPI.initialize` does). Runs where the handler
     * runs: the callback executor.
     */
    public val recorder: LateOutcomeHandler = LateOutcomeHandler { late -> record(late) }

    /**
     * Every recorded outcome not acknowledged yet, oldest first: show them to the merchant, book or refund each,
     * then [acknowledge] it. Reads files on [Dispatchers.IO]: call from any coroutine, Main included; resumes in
     * the caller's context. An unreadable file is skipped and logged, never deleted.
     *
     * @return the records
     */
    public suspend fun records(): List<LateOutcomeRecord> = withContext(Dispatchers.IO) { readAll() }

    /**
     * Forgets a record once the app has booked it. On [Dispatchers.IO]; call from any coroutine.
     *
     * @param key [LateOutcomeRecord.key]
     * @return true if a record with [key] was removed
     */
    public suspend fun acknowledge(key: String): Boolean = withContext(Dispatchers.IO) { remove(key) }

    internal fun record(late: LatePaymentOutcome) {
        val record = toRecord(late)
        MapiCoroutines.logger.log(Level.WARNING, "payment outcome nobody was waiting for, recorded: {0}", record)
        val directory = directory()
        if (directory == null) {
            MapiCoroutines.logger.log(
                Level.SEVERE,
                "no state directory (MapiConfig.setStateDirectory): late outcome {0} kept in memory only",
                record.key,
            )
            synchronized(memory) { memory.add(record) }
            return
        }
        try {
            write(directory, record)
        } catch (failure: IOException) {
            // Still worth keeping for this process: the app may list it before it dies.
            synchronized(memory) { memory.add(record) }
            MapiCoroutines.logger.log(Level.SEVERE, "late outcome ${record.key} could not be written", failure)
        }
    }

    private fun directory(): File? = MapiConfig.getStateDirectory()?.let { File(it, DIRECTORY) }

    private fun toRecord(late: LatePaymentOutcome): LateOutcomeRecord {
        val details = LinkedHashMap<String, String>()
        late.payment?.let { payment ->
            details["type"] = payment.type().name
            payment.amount()?.let { details["asked"] = it.toString() }
        }
        val result = when (val outcome = late.outcome) {
            is PaymentOutcome.Approved -> outcome.result
            is PaymentOutcome.NotApproved -> outcome.result
            else -> null
        }
        val kind = when (val outcome = late.outcome) {
            is PaymentOutcome.Approved -> "APPROVED"
            is PaymentOutcome.NotApproved -> "NOT_APPROVED"
            is PaymentOutcome.Failed -> "FAILED".also { describe(outcome.error, details) }
            is PaymentOutcome.NeedsRecovery -> "NEEDS_RECOVERY".also { describe(outcome.error, details) }
        }
        result?.let { describe(it, details) }
        val now = System.currentTimeMillis()
        val id = late.outcome.requestId
        val key = "late-$now-${sequence.incrementAndGet()}-${id?.filter { it.isLetterOrDigit() } ?: "none"}"
        return LateOutcomeRecord(
            key = key,
            terminal = "${late.terminal.ipAddress()}:${late.terminal.port()}",
            requestId = id,
            outcome = kind,
            resultState = result?.resultState()?.name,
            amount = (result?.amount() ?: late.payment?.amount())?.toString(),
            abortSent = late.abortSent,
            recordedAtMillis = now,
            details = details,
        )
    }

    private fun describe(result: PaymentResult, details: MutableMap<String, String>) {
        result.stan()?.let { details["stan"] = it }
        result.approvalCode()?.let { details["approvalCode"] = it }
        result.cardCircuit()?.let { details["cardCircuit"] = it }
        result.maskedPan()?.let { details["maskedPan"] = it }
        result.receiptNumber()?.let { details["receiptNumber"] = it }
        result.terminalId()?.let { details["terminalId"] = it }
        if (result.recovered()) details["recovered"] = "true"
    }

    private fun describe(error: Error, details: MutableMap<String, String>) {
        error.mapiError()?.let { details["mapiError"] = it.name }
        details["resultState"] = error.resultState().name
        details["detail"] = error.detail()
    }

    private fun write(directory: File, record: LateOutcomeRecord) {
        if (!directory.isDirectory && !directory.mkdirs() && !directory.isDirectory) {
            throw IOException("cannot create $directory")
        }
        val properties = Properties()
        properties["terminal"] = record.terminal
        record.requestId?.let { properties["requestId"] = it }
        properties["outcome"] = record.outcome
        record.resultState?.let { properties["resultState"] = it }
        record.amount?.let { properties["amount"] = it }
        properties["abortSent"] = record.abortSent.toString()
        properties["recordedAtMillis"] = record.recordedAtMillis.toString()
        for ((name, value) in record.details) properties["detail.$name"] = value
        val temporary = File(directory, ".${record.key}.tmp")
        FileOutputStream(temporary).use { out ->
            properties.store(out, "late payment outcome; delete only after booking it")
            out.fd.sync()
        }
        val target = File(directory, record.key + SUFFIX)
        if (!temporary.renameTo(target)) throw IOException("cannot rename $temporary to $target")
        syncDirectory(directory)
    }

    // The rename is durable only once the directory itself is flushed; not every platform lets a directory be
    // opened, and the record is already complete on disk by then, so a refusal is only logged.
    private fun syncDirectory(directory: File) {
        try {
            FileChannel.open(directory.toPath(), StandardOpenOption.READ).use { it.force(true) }
        } catch (refused: IOException) {
            MapiCoroutines.logger.log(Level.FINE, "directory $directory not synced", refused)
        }
    }

    private fun readAll(): List<LateOutcomeRecord> {
        val stored = directory()?.listFiles { file -> file.name.endsWith(SUFFIX) }.orEmpty()
            .mapNotNull(::read)
        val kept = synchronized(memory) { memory.toList() }
        return (stored + kept).sortedBy { it.recordedAtMillis }
    }

    private fun read(file: File): LateOutcomeRecord? = try {
        val properties = Properties()
        file.inputStream().use { properties.load(it) }
        val details = properties.stringPropertyNames().filter { it.startsWith("detail.") }.sorted()
            .associate { it.removePrefix("detail.") to properties.getProperty(it) }
        LateOutcomeRecord(
            key = file.name.removeSuffix(SUFFIX),
            terminal = properties.getProperty("terminal") ?: throw IOException("no terminal"),
            requestId = properties.getProperty("requestId"),
            outcome = properties.getProperty("outcome") ?: throw IOException("no outcome"),
            resultState = properties.getProperty("resultState"),
            amount = properties.getProperty("amount"),
            abortSent = properties.getProperty("abortSent").toBoolean(),
            recordedAtMillis = properties.getProperty("recordedAtMillis")?.toLongOrNull() ?: file.lastModified(),
            details = details,
        )
    } catch (unreadable: IOException) {
        MapiCoroutines.logger.log(Level.SEVERE, "late outcome $file unreadable; kept", unreadable)
        null
    } catch (unreadable: IllegalArgumentException) {
        MapiCoroutines.logger.log(Level.SEVERE, "late outcome $file unreadable; kept", unreadable)
        null
    }

    private fun remove(key: String): Boolean {
        // A key names a file: anything but a key this store made could reach outside its directory.
        if (!KEY.matches(key)) return false
        val inMemory = synchronized(memory) { memory.removeAll { it.key == key } }
        val file = directory()?.let { File(it, key + SUFFIX) }
        val deleted = file != null && file.isFile && file.delete()
        if (deleted) directory()?.let(::syncDirectory)
        return inMemory || deleted
    }
}
