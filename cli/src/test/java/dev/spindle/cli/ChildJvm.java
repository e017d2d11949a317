package dev.spindle.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The command line of a child JVM that starts fast, for the tests that start hundreds of them (SIGKILL and
 * power-loss rounds): there a child writes for well under a second, so its start-up is most of a round.
 *
 * <p>C1 only ({@code -XX:TieredStopAtLevel=1}: C2 would only start compiling when the child is killed), the
 * serial collector (no GC worker threads to start), no perf-data file, and an application class-data archive
 * (AppCDS) of what a {@code spindle write} loads, made once per test JVM by a short training run that writes a few
 * thousand entries and exits: its classes are then mapped instead of being found, parsed and verified. The archive
 * takes jars only, so each directory of the class path (a module's {@code target/classes}) is packed into a jar
 * first; the test classes are left out (the child runs {@link SpindleCli}). On 2 busy cores this took the time to
 * a child's first acknowledgement from 2-5 s to about 1 s. When the archive cannot be made, children start
 * with the flags alone and the original class path, and the reason is printed once.
 */
final class ChildJvm
{
    private static final List<String> FLAGS = List.of("-Xmx512m", "-Xss512k", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private static List<String> command;

    private ChildJvm()
    {
    }

    /**
     * @return {@code java} and its options up to the main class's name (exclusive).
     */
    static synchronized List<String> command()
    {
        if (command == null)
        {
            command = List.copyOf(make());
        }
        return command;
    }

    private static List<String> make()
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> plain = new ArrayList<>(List.of(java));
        plain.addAll(FLAGS);
        plain.addAll(List.of("-Xshare:auto", "-cp", System.getProperty("java.class.path")));
        try
        {
            final Path dir = Files.createTempDirectory("spindle-child-jvm");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            final String classPath = jarredClassPath(dir);
            final Path archive = dir.resolve("spindle-write.jsa");
            final Path config = dir.resolve("training.toml");
            Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + dir.resolve("lane0") + "\", \"" +
                dir.resolve("lane1") + "\"]\ndisk_segment_size = \"1 MiB\"\n");
            final List<String> training = new ArrayList<>(List.of(java));
            training.addAll(FLAGS);
            training.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", classPath,
                SpindleCli.class.getName(), "write", "--config", config.toString(), "--collections", "3", "--entries",
                "3000", "--entry-size", "200", "--threads", "2", "--seed", "1", "--quiet", "--ack-log",
                dir.resolve("training.ack").toString()));
            final Process process = new ProcessBuilder(training).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("training.out").toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return fallBack(plain, "the training run took over 120 s");
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(archive))
            {
                return fallBack(plain, "the training run exited with " + process.exitValue() + ":\n" +
                    Files.readString(dir.resolve("training.out")));
            }
            final List<String> fast = new ArrayList<>(List.of(java));
            fast.addAll(FLAGS);
            fast.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-cp", classPath));
            return fast;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return fallBack(plain, ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return fallBack(plain, "interrupted");
        }
    }

    private static List<String> fallBack(final List<String> plain, final String why)
    {
        System.out.println("child JVMs start without a class-data archive: " + why);
        return plain;
    }

    /**
     * @return the class path with every directory but the test classes' packed into a jar under {@code dir}.
     */
    private static String jarredClassPath(final Path dir) throws IOException
    {
        final Path testClasses = codeSource(ChildJvm.class);
        final List<String> entries = new ArrayList<>();
        int n = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            if (entry.isEmpty())
            {
                continue;
            }
            final Path path = Path.of(entry).toAbsolutePath().normalize();
            if (path.equals(testClasses))
            {
                continue;
            }
            if (Files.isDirectory(path))
            {
                final Path jar = dir.resolve("classes-" + n++ + ".jar");
                pack(path, jar);
                entries.add(jar.toString());
            }
            else if (Files.isRegularFile(path))
            {
                entries.add(path.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path codeSource(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void pack(final Path directory, final Path jar) throws IOException
    {
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(directory))
        {
            for (final Path f : (Iterable<Path>)files.filter(Files::isRegularFile).sorted()::iterator)
            {
                out.putNextEntry(new JarEntry(directory.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static void delete(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // best effort, at exit
        }
    }
}
