package eu.ccvlab.mapi.probes;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;

/**
 * docs/api-provenance.md lists every public type and member of the SDK (all of android/sdk/src/main/java
 * except {@code eu.ccvlab.mapi.internal}), found here by scanning the compiled classes. The test fails when a
 * public member is missing from the document, or when the document lists one that no longer exists, so the
 * document cannot drift from the code. The Android-only {@code eu.ccvlab.api_android.MAPI} is not compiled on a
 * plain JVM: its rows are checked by name only.
 */
public class ApiProvenanceTest {
    private static final String DOCUMENT = "docs/api-provenance.md";
    private static final Pattern KEY = Pattern.compile("^\\| `(eu\\.ccvlab\\.[A-Za-z0-9_.]+)(#[^`]+)?`", Pattern.MULTILINE);

    /** The keys the document must contain: "Type" and "Type#member(ParamSimpleNames)". */
    static TreeSet<String> publicApi() throws IOException, URISyntaxException, ClassNotFoundException {
        File root = new File(PaymentService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue("compiled SDK classes expected in a directory, found " + root, root.isDirectory());
        List<String> classNames = new ArrayList<>();
        collect(root, root, classNames);
        Collections.sort(classNames);
        TreeSet<String> keys = new TreeSet<>();
        for (String name : classNames) {
            Class<?> type = Class.forName(name);
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            String typeName = type.getName().replace('$', '.');
            keys.add(typeName);
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (visible(constructor.getModifiers()) && !constructor.isSynthetic()) {
                    keys.add(typeName + "#<init>(" + parameters(constructor.getParameterTypes()) + ")");
                }
            }
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                    keys.add(typeName + "#" + method.getName() + "(" + parameters(method.getParameterTypes()) + ")");
                }
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field.getModifiers()) && !field.isSynthetic()) {
                    keys.add(typeName + "#" + field.getName());
                }
            }
        }
        return keys;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String parameters(Class<?>[] types) {
        StringBuilder text = new StringBuilder();
        for (Class<?> type : types) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(type.getSimpleName());
        }
        return text.toString();
    }

    private static void collect(File root, File directory, List<String> names) {
        File[] files = directory.listFiles();
        if (files == null) {
            return;
        }
        for (File file : files) {
            if (file.isDirectory()) {
                collect(root, file, names);
            } else if (file.getName().endsWith(".class")) {
                String relative = root.toURI().relativize(file.toURI()).getPath();
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                boolean anonymous = name.matches(".*\\$[0-9].*");
                if (!anonymous && name.startsWith("eu.ccvlab.") && !name.startsWith("eu.ccvlab.mapi.internal.")) {
                    names.add(name);
                }
            }
        }
    }

    /** The repository root: the working directory (host-test.sh runs from there) or one of its parents. */
    static File document() {
        File directory = new File(System.getProperty("user.dir")).getAbsoluteFile();
        while (directory != null) {
            File candidate = new File(directory, DOCUMENT);
            if (candidate.isFile()) {
                return candidate;
            }
            directory = directory.getParentFile();
        }
        fail(DOCUMENT + " not found from " + System.getProperty("user.dir") + " or its parents");
        return null;
    }

    static TreeSet<String> documented() throws IOException {
        String text = new String(Files.readAllBytes(document().toPath()), StandardCharsets.UTF_8);
        TreeSet<String> keys = new TreeSet<>();
        Matcher matcher = KEY.matcher(text);
        while (matcher.find()) {
            keys.add(matcher.group(1) + (matcher.group(2) != null ? matcher.group(2) : ""));
        }
        return keys;
    }

    @Test
    public void everyPublicMemberIsInTheProvenanceDocumentAndNothingElse() throws Exception {
        TreeSet<String> api = publicApi();
        TreeSet<String> documented = documented();
        assertTrue("found only " + api.size() + " public members: is the class scan broken?", api.size() > 300);

        TreeSet<String> undocumented = new TreeSet<>(api);
        undocumented.removeAll(documented);
        TreeSet<String> stale = new TreeSet<>(documented);
        stale.removeAll(api);
        stale.removeIf(key -> key.startsWith("eu.ccvlab.api_android.MAPI"));
        if (!undocumented.isEmpty() || !stale.isEmpty()) {
            fail("docs/api-provenance.md is out of date.\n  missing rows (add them with their public source and test): "
                    + undocumented + "\n  rows for members that do not exist: " + stale);
        }
        assertTrue("the Android-only MAPI.initialize(Context) row", documented.contains(
                "eu.ccvlab.api_android.MAPI#initialize(Context)"));
    }
}
