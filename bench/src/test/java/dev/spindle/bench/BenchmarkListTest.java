package dev.spindle.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JMH suite holds what users run: Spindle by size, mode, lanes, threads and collections, latency, replay,
 * encoding, and in the same list the peers and the disk's ceiling (what {@code java -jar benchmarks.jar -l}
 * prints; {@code BenchmarksJarIT} checks the jar itself).
 */
class BenchmarkListTest
{
    static final List<String> EXPECTED = List.of(
        "dev.spindle.bench.durable.SpindleDurable.append",
        "dev.spindle.bench.durable.PeerChronicleQueue.append",
        "dev.spindle.bench.durable.PeerChronicleBytes.append",
        "dev.spindle.bench.durable.PeerFileChannel.append",
        "dev.spindle.bench.durable.PeerMappedByteBuffer.append",
        "dev.spindle.bench.durable.DiskCeiling.commit",
        "dev.spindle.bench.ModeBenchmark.append",
        "dev.spindle.bench.ScaleBenchmark.threads1",
        "dev.spindle.bench.ScaleBenchmark.threads2",
        "dev.spindle.bench.ScaleBenchmark.threads4",
        "dev.spindle.bench.LatencyBenchmark.appendAsyncJoin",
        "dev.spindle.bench.LatencyBenchmark.appendAndAwait",
        "dev.spindle.bench.ReplayBenchmark.replay",
        "dev.spindle.bench.EncodeBenchmark.encode");

    @Test
    void shouldListSpindleItsPeersAndTheDiskCeiling() throws IOException
    {
        try (InputStream list = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList"))
        {
            assertNotNull(list, "JMH's annotation processor wrote META-INF/BenchmarkList");
            final List<String> lines = new String(list.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (final String benchmark : EXPECTED)
            {
                final int dot = benchmark.lastIndexOf('.');
                final String type = " " + benchmark.substring(0, dot) + " ";
                final String method = " " + benchmark.substring(dot + 1) + " ";
                assertTrue(lines.stream().anyMatch(l -> l.contains(type) && l.contains(method)),
                    benchmark + " is missing from the JMH list");
            }
        }
    }
}
