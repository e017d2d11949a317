package dev.spindle.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code spindle} in a child JVM on the test classpath, so it can be killed with SIGKILL
 * (or die of its own accord) without taking the test JVM with it.
 */
final class Child
{
    private final Process process;
    private final Path stderr;

    private Child(final Process process, final Path stderr)
    {
        this.process = process;
        this.stderr = stderr;
    }

    static Child start(final Path workDir, final String... args) throws IOException
    {
        return start(workDir, java.util.Map.of(), args);
    }

    /**
     * @param environment variables added to the child's environment (credentials of a test server).
     */
    static Child start(final Path workDir, final java.util.Map<String, String> environment, final String... args)
        throws IOException
    {
        return start(workDir, environment, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-cp", System.getProperty("java.class.path")), args);
    }

    /**
     * A child that starts fast ({@link ChildJvm}): for tests that start hundreds.
     */
    static Child startFast(final Path workDir, final String... args) throws IOException
    {
        return start(workDir, java.util.Map.of(), ChildJvm.command(), args);
    }

    private static Child start(final Path workDir, final java.util.Map<String, String> environment,
        final List<String> jvm, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(jvm);
        command.add(SpindleCli.class.getName());
        command.addAll(List.of(args));
        final Path err = Files.createTempFile(workDir, "child", ".err");
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        final Process process = builder
            .directory(workDir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("child.out").toFile()))
            .redirectError(err.toFile())
            .start();
        return new Child(process, err);
    }

    /**
     * SIGSTOP, and wait until every thread of the process is stopped: from then on it can neither
     * write nor record an acknowledgement. A power-loss simulation must freeze the writer before the
     * file system is shut down: an fdatasync in flight when FS_IOC_GOINGDOWN aborts the journal can
     * return success for a commit that never happens (reproduced without Spindle, by four threads
     * doing pwrite + fdatasync), which a real power cut could never let a process observe.
     */
    void freeze() throws IOException, InterruptedException
    {
        final long pid = process.pid();
        sh("kill", "-STOP", Long.toString(pid));
        final long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline)
        {
            boolean stopped = true;
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
            {
                for (final Path task : (Iterable<Path>)tasks::iterator)
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state != 'T' && state != 't')
                    {
                        stopped = false;
                        break;
                    }
                }
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                return; // exited
            }
            if (stopped)
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("child " + pid + " did not stop within 10 s");
    }

    /** SIGKILL: no shutdown hook, no close, no flush. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int waitFor(final long seconds) throws InterruptedException
    {
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            kill();
            throw new AssertionError("child did not finish within " + seconds + " s");
        }
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * @return what the child wrote to stderr, or why that could not be read (for assertion messages).
     */
    String stderrOrNothing()
    {
        try
        {
            return stderr();
        }
        catch (final IOException ex)
        {
            return "(stderr unreadable: " + ex + ")";
        }
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    String stderr() throws IOException
    {
        return Files.readString(stderr);
    }

    /**
     * Run a command as root (mount, losetup, ...), failing the test with its output if it fails.
     */
    static String sh(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /**
     * The mount-based tests need root. CI runs as root, so there a missing root is a failure, never a
     * skip; on a developer's machine without root they are skipped with this message.
     */
    static void requireRoot(final String why)
    {
        if (isRoot())
        {
            return;
        }
        if (System.getenv("CI") != null)
        {
            throw new AssertionError(why + ", and CI must provide it: run .ci/run as root");
        }
        org.junit.jupiter.api.Assumptions.abort(why + "; run as root (CI does) to include this test");
    }

    static boolean isRoot()
    {
        try
        {
            return "0".equals(sh("id", "-u").trim());
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }

    static boolean onPath(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
