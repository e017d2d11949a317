package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.cli.bench.LoopDisks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spindle bench --disks N}: real loop devices, ext4, cgroup limits (root; CI runs as root). The
 * benchmark runs in a child JVM, because it moves its own process into a throttled cgroup. Whatever happens
 * (a normal end, SIGTERM as Ctrl-C's shutdown path, SIGKILL followed by another run), no loop device, mount,
 * cgroup, limit or image may be left behind. Without root it refuses with exit 2.
 */
@Timeout(300)
class BenchDisksTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DISK = Pattern.compile("disk (/dev/loop\\d+) \\((\\d+:\\d+)\\) mounted at");
    private static final Path ROOT_LIMITS = Path.of("/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device");

    @TempDir
    Path dir;

    /** The children started, killed after each test if a failure left one running. */
    private final List<Child> children = new ArrayList<>();

    private Child start(final String... args) throws IOException
    {
        final Child child = Child.start(dir, args);
        children.add(child);
        return child;
    }

    /**
     * Whatever a failed test left (a child killed at its deadline): removed as the next run would.
     */
    @AfterEach
    void removeLeftovers() throws Exception
    {
        for (final Child child : children)
        {
            if (child.isAlive())
            {
                child.kill();
            }
        }
        if (Child.isRoot())
        {
            LoopDisks.removeStale(dir.resolve("disks"), new java.io.PrintWriter(System.out, true));
        }
    }

    private String[] disks(final String count, final String seconds, final String repeat)
    {
        return new String[]{"bench", "--disks", count, "--seconds", seconds, "--repeat", repeat, "--disk-mbps", "20",
            "--disk-size", "512MiB", "--dir", dir.resolve("disks").toString(), "--entry-size", "4096"};
    }

    @Test
    void shouldPrintTheScalingTableAndRemoveEverythingItMade() throws Exception
    {
        Child.requireRoot("loop devices, mounts and cgroups need root");
        final Child child = start(disks("2", "1", "1"));
        assertEquals(0, child.waitFor(180), child::stderrOrNothing);
        final List<String> lines = Files.readAllLines(dir.resolve("child.out"));
        assertTrue(lines.get(0).startsWith("Spindle bench --disks 2: loop-mounted ext4 disks, writes of each limited to " +
            "20 MB/s"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+1 .*1\\.00x.*")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+2 .*x.*%.*")), lines.toString());
        final JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertEquals(2, json.get("runs").size());
        assertEquals(2, json.get("runs").get(1).get("lanes").asInt());
        assertTrue(json.get("runs").get(1).get("entries").asLong() > 0, json.toString());
        assertNothingLeft(child.stderr());
    }

    @Test
    void shouldRemoveEverythingWhenStoppedBySigterm() throws Exception
    {
        Child.requireRoot("loop devices, mounts and cgroups need root");
        final Child child = start(disks("2", "5", "3"));
        awaitDisks(child, 2);
        Child.sh("kill", "-TERM", Long.toString(child.pid()));
        assertNotEquals(0, child.waitFor(120));
        assertTrue(child.stderr().contains("interrupted; the disks are removed"), child.stderr());
        assertNothingLeft(child.stderr());
    }

    @Test
    void shouldRemoveWhatAKilledRunLeftWhenItRunsAgain() throws Exception
    {
        Child.requireRoot("loop devices, mounts and cgroups need root");
        final Child killed = start(disks("2", "5", "3"));
        awaitDisks(killed, 2);
        final long pid = killed.pid();
        killed.kill();
        assertTrue(Files.exists(dir.resolve("disks").resolve("disks-" + pid)), "SIGKILL left its disks");

        final Child again = start(disks("1", "0.5", "1"));
        assertEquals(0, again.waitFor(180), again::stderrOrNothing);
        assertTrue(again.stderr().contains("removed the disks an earlier run (pid " + pid + ") left"), again.stderr());
        assertNothingLeft(killed.stderr() + again.stderr());
    }

    @Test
    void shouldRefuseWithoutRoot() throws Exception
    {
        Child.requireRoot("switching to an unprivileged user needs root");
        if (!Child.onPath("setpriv"))
        {
            throw new AssertionError("setpriv (util-linux) is needed to run as another user");
        }
        final Path open = Files.createDirectories(dir.resolve("classpath"));
        final List<String> copied = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path from = Path.of(entry);
            final Path to = open.resolve(copied.size() + "-" + from.getFileName());
            if (Files.isDirectory(from))
            {
                Child.sh("cp", "-r", from.toString(), to.toString());
            }
            else if (Files.exists(from))
            {
                Files.copy(from, to);
            }
            copied.add(to.toString());
        }
        Child.sh("chmod", "-R", "a+rX", dir.toString());
        final Path log = dir.resolve("nobody.out");
        final Process process = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            String.join(java.io.File.pathSeparator, copied), SpindleCli.class.getName(), "bench", "--disks", "2",
            "--dir", "/tmp").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final boolean ended = process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!ended)
        {
            process.destroyForcibly();
        }
        final String output = Files.readString(log);
        assertTrue(ended, output);
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("bench --disks needs root"), output);
    }

    private static void awaitDisks(final Child child, final int count) throws Exception
    {
        final long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            final String stderr = child.stderr();
            if (DISK.matcher(stderr).results().count() == count && stderr.contains("round 1 of"))
            {
                return;
            }
            assertTrue(child.isAlive(), stderr);
            Thread.sleep(100);
        }
        throw new AssertionError("the disks were not ready within 120 s:\n" + child.stderr());
    }

    /**
     * No loop device on an image under the test's directory, no mount there, no spindle-bench cgroup, no root
     * limit for the devices the run used, no disks directory.
     */
    private void assertNothingLeft(final String stderr) throws IOException, InterruptedException
    {
        final String base = dir.resolve("disks").toAbsolutePath().toString();
        assertFalse(Child.sh("losetup", "-a").contains(base), Child.sh("losetup", "-a"));
        assertFalse(Files.readString(Path.of("/proc/mounts")).contains(base), "mounts left");
        for (final Path hierarchy : List.of(Path.of("/sys/fs/cgroup/blkio"), Path.of("/sys/fs/cgroup")))
        {
            if (Files.isDirectory(hierarchy))
            {
                try (Stream<Path> cgroups = Files.list(hierarchy))
                {
                    assertEquals(List.of(), cgroups.filter(p -> children.stream().anyMatch(c ->
                        p.getFileName().toString().equals("spindle-bench-" + c.pid()))).toList());
                }
            }
        }
        final String limits = Files.exists(ROOT_LIMITS) ? Files.readString(ROOT_LIMITS) : "";
        final Matcher disk = DISK.matcher(stderr);
        while (disk.find())
        {
            assertFalse(limits.lines().anyMatch(l -> l.startsWith(disk.group(2) + " ")), disk.group(2) + " still limited: " +
                limits);
        }
        try (Stream<Path> left = Files.list(dir.resolve("disks")))
        {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("disks-")).toList());
        }
    }
}
