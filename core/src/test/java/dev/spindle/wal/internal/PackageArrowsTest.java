package dev.spindle.wal.internal;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The house's arrows, read by {@code jdeps} from core's compiled classes: no cycle among the internal packages,
 * and the named rooms depend only on the rooms below them.
 */
class PackageArrowsTest
{
    private static final String INTERNAL = "dev.spindle.wal.internal";
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)");
    private static final Map<String, Set<String>> ARROWS = new TreeMap<>();
    private static final Map<String, Set<String>> WHY = new TreeMap<>();

    @BeforeAll
    static void readClasses() throws Exception
    {
        final CodeSource source = WalEngine.class.getProtectionDomain().getCodeSource();
        assertNotNull(source, "no code source for core's classes: run from the build, not a custom class loader");
        final Path classes = Path.of(source.getLocation().toURI());
        // the build compiles with a JDK, and every JDK 17 has jdk.jdeps
        final ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError(
            "no jdeps: run the build on a JDK (with the jdk.jdeps module), not a JRE"));
        final StringWriter out = new StringWriter();
        final int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "-filter:none",
            classes.toString());
        assertEquals(0, rc, out.toString());
        for (final String line : out.toString().split("\n"))
        {
            final Matcher m = EDGE.matcher(line);
            if (m.find() && m.group(1).startsWith(INTERNAL) && m.group(2).startsWith(INTERNAL))
            {
                final String from = pkg(m.group(1));
                final String to = pkg(m.group(2));
                if (!from.equals(to))
                {
                    ARROWS.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                    WHY.computeIfAbsent(from + " -> " + to, k -> new TreeSet<>()).add(m.group(1) + " -> " + m.group(2));
                }
            }
        }
        assertTrue(ARROWS.size() >= 6, "jdeps saw the internal packages: " + ARROWS);
    }

    private static String pkg(final String className)
    {
        return className.substring(0, className.lastIndexOf('.'));
    }

    @Test
    void shouldHaveNoCycleAmongTheInternalPackages()
    {
        for (final String start : ARROWS.keySet())
        {
            final List<String> path = new ArrayList<>();
            path.add(start);
            assertTrue(noPathBack(start, start, path, new TreeSet<>()), "cycle: " + String.join(" -> ", path));
        }
    }

    private static boolean noPathBack(final String start, final String at, final List<String> path,
        final Set<String> seen)
    {
        for (final String next : ARROWS.getOrDefault(at, Set.of()))
        {
            path.add(next);
            if (next.equals(start))
            {
                return false;
            }
            if (seen.add(next) && !noPathBack(start, next, path, seen))
            {
                return false;
            }
            path.remove(path.size() - 1);
        }
        return true;
    }

    @Test
    void shouldKeepEachRoomAboveOnlyTheRoomsBelowIt()
    {
        allowed("metrics");
        allowed("segment", "metrics");
        allowed("remote", "segment");
        allowed("recovery", "segment", "remote");
        allowed("replay", "segment", "remote");
        allowed("upload", "segment", "remote", "metrics");
        allowed("lane", "segment", "remote", "replay", "upload", "metrics");
        allowed("tail", "segment", "remote", "replay", "lane");
        allowed("offline", "segment", "remote", "recovery", "replay", "metrics");
    }

    private static void allowed(final String room, final String... below)
    {
        final Set<String> may = new TreeSet<>();
        for (final String b : below)
        {
            may.add(INTERNAL + "." + b);
        }
        for (final String to : ARROWS.getOrDefault(INTERNAL + "." + room, Set.of()))
        {
            assertTrue(may.contains(to), room + " must not depend on " + to + ": " +
                WHY.get(INTERNAL + "." + room + " -> " + to));
        }
    }
}
