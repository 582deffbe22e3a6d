package eu.ccvlab.mapi.internal;

import java.io.File;
import java.util.logging.Logger;

/**
 * Moves the SDK's state (RequestID counter, journal of unsettled payments) from where an earlier version kept
 * it to where it belongs now. Plain Java so that it runs, and is tested, without Android; {@code MAPI} calls it
 * with {@code <filesDir>/mapi} and {@code <noBackupFilesDir>/mapi}.
 */
public final class StateDirectories {
    private static final Logger LOG = Logger.getLogger("eu.ccvlab.mapi");

    private StateDirectories() {
    }

    /**
     * Moves every file of {@code legacy} into {@code target} (created when needed) and removes {@code legacy}
     * once it is empty. A file already present in {@code target} is never replaced: it is newer than the old
     * copy, which then stays where it is (and is logged) rather than being lost. Thread: any; call it before the
     * first request, as it touches the files the engine uses.
     *
     * @param legacy where an earlier version kept the state
     * @param target where the state belongs now
     * @return {@code target}
     */
    public static File migrate(File legacy, File target) {
        File[] old = legacy.listFiles();
        if (old == null || old.length == 0) {
            return target;
        }
        if (!target.isDirectory() && !target.mkdirs()) {
            LOG.warning("could not create " + target + "; the state stays in " + legacy);
            return legacy;
        }
        for (File file : old) {
            File moved = new File(target, file.getName());
            if (moved.exists()) {
                LOG.warning("kept " + file + ": " + moved + " already exists");
            } else if (!file.renameTo(moved)) {
                LOG.warning("could not move " + file + " to " + moved);
            }
        }
        String[] left = legacy.list();
        if (left != null && left.length == 0 && !legacy.delete()) {
            LOG.fine("could not remove the empty " + legacy);
        }
        return target;
    }
}
