package dev.spindle.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@code package}: {@code java -jar bench/target/benchmarks.jar -l} runs and lists the peers.
 */
class BenchmarksJarIT
{
    @Test
    void shouldListEveryBenchmarkFromTheShadedJar() throws Exception
    {
        final Path jar = Path.of("target", "benchmarks.jar");
        assertTrue(Files.exists(jar), jar.toAbsolutePath() + " is built by package");
        final Path log = Files.createTempFile("benchmarks-list", ".txt");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", jar.toString(), "-l").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended)
        {
            process.destroyForcibly();
        }
        final String output = Files.readString(log);
        Files.delete(log);
        assertTrue(ended, output);
        assertEquals(0, process.exitValue(), output);
        for (final String benchmark : BenchmarkListTest.EXPECTED)
        {
            assertTrue(output.contains(benchmark), benchmark + " in:\n" + output);
        }
    }
}
