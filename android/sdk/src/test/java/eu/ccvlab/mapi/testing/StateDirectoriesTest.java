package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import eu.ccvlab.mapi.internal.StateDirectories;

/** What {@code MAPI.initialize} does with the state an earlier version kept in {@code filesDir/mapi}. */
public class StateDirectoriesTest {
    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private static void write(File file, String text) throws Exception {
        Files.write(file.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(File file) throws Exception {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    }

    @Test
    public void theCounterAndUnsettledPaymentsMoveToTheNewPlace() throws Exception {
        File legacy = folder.newFolder("files", "mapi");
        File target = new File(folder.getRoot(), "no_backup/mapi");
        write(new File(legacy, "request-ids"), "129");
        write(new File(legacy, "inflight-t.41.json"), "{\"request_id\":\"41\"}");

        assertEquals(target, StateDirectories.migrate(legacy, target));
        assertEquals("129", read(new File(target, "request-ids")));
        assertEquals("{\"request_id\":\"41\"}", read(new File(target, "inflight-t.41.json")));
        assertFalse("the emptied old directory is gone", legacy.exists());
    }

    @Test
    public void aFileAlreadyInTheNewPlaceIsNeverReplacedAndTheOldCopyIsKept() throws Exception {
        File legacy = folder.newFolder("files", "mapi");
        File target = folder.newFolder("no_backup", "mapi");
        write(new File(legacy, "request-ids"), "65");
        write(new File(target, "request-ids"), "193");

        StateDirectories.migrate(legacy, target);
        assertEquals("193", read(new File(target, "request-ids")));
        assertEquals("65", read(new File(legacy, "request-ids")));
        assertTrue(legacy.isDirectory());
    }

    @Test
    public void nothingToMoveLeavesEverythingAsItIs() throws Exception {
        File target = new File(folder.getRoot(), "no_backup/mapi");
        assertEquals(target, StateDirectories.migrate(new File(folder.getRoot(), "files/mapi"), target));
        assertFalse("created by the engine when first needed", target.exists());
        assertArrayEquals(new String[0], folder.getRoot().list());
    }
}
