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
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SpindleCli.class.getName());
        command.addAll(List.of(args));
        final Path err = Files.createTempFile(workDir, "child", ".err");
        final Process process = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("child.out").toFile()))
            .redirectError(err.toFile())
            .start();
        return new Child(process, err);
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
