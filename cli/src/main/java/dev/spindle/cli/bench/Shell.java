package dev.spindle.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system tools the disk benchmark needs (losetup, mkfs.ext4, mount, umount, mountpoint), found on the
 * PATH or in /sbin and /usr/sbin, each with a deadline; a failure becomes an exception that names the command and
 * quotes what it printed.
 */
final class Shell
{
    private static final long DEADLINE_SECONDS = 120;

    private Shell()
    {
    }

    /**
     * @return the command's standard output (and error).
     * @throws IOException when it cannot start, fails, or runs past its deadline.
     */
    static String run(final String... command) throws IOException
    {
        final String[] resolved = command.clone();
        resolved[0] = find(command[0]).map(Path::toString).orElse(command[0]);
        final Path output = Files.createTempFile("spindle-shell-", ".out");
        try
        {
            final Process process = new ProcessBuilder(resolved).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            try
            {
                if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": still running after " + DEADLINE_SECONDS + " s");
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", command) + ": interrupted", ex);
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " +
                    text.strip());
            }
            return text;
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }

    /**
     * @return true when {@code command} runs and exits 0 (its output ignored).
     */
    static boolean succeeds(final String... command)
    {
        try
        {
            run(command);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * @return the tools of {@code names} that are neither on the PATH nor in /sbin, /usr/sbin.
     */
    static List<String> missing(final String... names)
    {
        return Arrays.stream(names).filter(name -> find(name).isEmpty()).toList();
    }

    private static Optional<Path> find(final String name)
    {
        final List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/sbin", "/usr/sbin", "/bin", "/usr/bin"));
        return dirs.stream().filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name)).filter(Files::isExecutable)
            .findFirst();
    }

    /**
     * @return true when this process runs as root: its effective uid (the second field of {@code Uid:} in
     *     /proc/self/status) is 0.
     */
    static boolean isRoot()
    {
        try
        {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")).anyMatch(f -> f.length > 2 && f[2].equals("0"));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
