package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.WireTrace;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/** The wire trace from Java: enabled around a payment against the simulator, exported, checked. */
public class WireTraceTest {
    private static final Pattern LONG_DIGIT_RUN = Pattern.compile("\\d{13,}");

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @After
    public void stopTracing() throws IOException {
        WireTrace.disable();
    }

    private static List<String> containing(List<String> lines, String fragment) {
        List<String> matching = new ArrayList<>();
        for (String line : lines) {
            if (line.contains(fragment)) {
                matching.add(line);
            }
        }
        return matching;
    }

    @Test
    public void aPaymentIsTracedWithCardDataMaskedAndExportedForSupport() throws IOException {
        File trace = new File(new File(folder.getRoot(), "traces"), "mapi-trace.jsonl");
        WireTrace.enable(trace, WireTrace.DEFAULT_MAX_BYTES);
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("success")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate payment = new RecordingDelegate();
            new PaymentService().payment(terminal, Fixtures.sale(), payment);
            payment.awaitPaymentSuccess();
            payment.assertFinalCount(1);
        }
        File exported = new File(folder.getRoot(), "for-support.jsonl");
        long copied = WireTrace.export(exported);
        assertEquals(exported.length(), copied);

        List<String> lines = Files.readAllLines(exported.toPath(), StandardCharsets.UTF_8);
        assertTrue(lines.get(0), lines.get(0).startsWith("{\"type\":\"header\",\"format\":\"mapi-wire-trace\""));
        List<String> frames = containing(lines, "{\"type\":\"frame\"");
        assertEquals("the payment, its response", 1,
                containing(frames, "\"message\":\"CardServiceRequest RequestType=CardPayment").size());
        assertEquals(1, containing(frames, "\"message\":\"CardServiceResponse RequestType=CardPayment").size());
        assertFalse("device requests on channel 1",
                containing(containing(frames, "\"channel\":1"), "DeviceRequest RequestType=Output").isEmpty());
        assertFalse("the POS answered them",
                containing(frames, "\"dir\":\"pos_to_terminal\",\"channel\":1").isEmpty());
        String text = new String(Files.readAllBytes(exported.toPath()), StandardCharsets.UTF_8);
        assertTrue("the card number shows masked", text.contains("541333******4444"));
        assertFalse("no 13+ digit run", LONG_DIGIT_RUN.matcher(text).find());

        WireTrace.disable();
        List<String> closed = Files.readAllLines(trace.toPath(), StandardCharsets.UTF_8);
        assertTrue(closed.get(closed.size() - 1), closed.get(closed.size() - 1).startsWith("{\"type\":\"end\""));
        assertEquals("after disable, export copies the closed file", trace.length(), WireTrace.export(exported));
    }

    @Test
    public void badArgumentsAndUnwritableFilesAreReported() throws IOException {
        try {
            WireTrace.enable(null);
            fail("null file accepted");
        } catch (NullPointerException expected) {
            assertTrue(expected.getMessage().contains("file"));
        }
        try {
            WireTrace.enable(folder.newFile("small.jsonl"), 100);
            fail("a 100-byte limit accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("maxBytes"));
        }
        File notADirectory = folder.newFile("plain-file");
        try {
            WireTrace.enable(new File(notADirectory, "trace.jsonl"));
            fail("a trace under a plain file accepted");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("trace.jsonl"));
        }
        File trace = folder.newFile("ok.jsonl");
        WireTrace.enable(trace);
        try {
            WireTrace.export(new File(notADirectory, "copy.jsonl"));
            fail("an export under a plain file succeeded");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("copy.jsonl"));
        }
        try {
            WireTrace.export(trace);
            fail("an export onto the trace itself succeeded");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("itself"));
        }
    }
}
