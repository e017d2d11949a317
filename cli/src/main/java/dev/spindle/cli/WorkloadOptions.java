package dev.spindle.cli;

import picocli.CommandLine.Option;

/**
 * The workload flags shared by {@code write} and {@code bench}.
 */
final class WorkloadOptions
{
    @Option(names = "--collections", paramLabel = "N", description = "collections to spread entries over (c0..cN-1)")
    int collections = -1;

    @Option(names = "--entries", paramLabel = "M", description = "entries to append in total")
    long entries = -1;

    @Option(names = "--entry-size", paramLabel = "B", description = "bytes of each value (default 1024)")
    int entrySize = -1;

    @Option(names = "--threads", paramLabel = "T", description = "producer threads (default 2)")
    int threads = -1;

    @Option(names = "--seed", paramLabel = "S", description = "payload seed (values are a function of seed, collection, sequence)")
    long seed = 42;

    @Option(names = "--payload", paramLabel = "KIND", description = "what entries carry: random (value bytes that " +
        "do not compress; the default), text (JSON-like event records), vectors (entry-size/4 floats, no value)")
    dev.spindle.cli.bench.Payloads.Kind payload = dev.spindle.cli.bench.Payloads.Kind.random;

    @Option(names = "--quiet", description = "no progress lines on stderr")
    boolean quiet;

    @Option(names = "--rate", paramLabel = "N",
        description = "offered load in entries/s over all threads (default: as fast as possible). Latency is then " +
            "measured from each entry's scheduled time, so stalls are not hidden")
    long rate;

    @Option(names = "--checkpoint-mib", paramLabel = "N",
        description = "checkpoint each collection at its acknowledged sequence once N MiB of it were acknowledged " +
            "since its last checkpoint, as an embedder does after flushing what the log covers; freed segments are " +
            "then recycled (0: never; default 64 for bench, 0 for write)")
    Long checkpointMib;

    /**
     * @return bytes of values acknowledged between two checkpoints of a collection (0: never), the default if not given.
     */
    long checkpointBytes(final long defaultMib)
    {
        return (checkpointMib == null ? defaultMib : checkpointMib) << 20;
    }

    /**
     * Fill in what was not given.
     */
    void defaults(final int entrySize, final long entries, final int collections, final int threads)
    {
        if (this.entrySize < 0)
        {
            this.entrySize = entrySize;
        }
        if (this.entries < 0)
        {
            this.entries = entries;
        }
        if (this.collections < 0)
        {
            this.collections = collections;
        }
        if (this.threads < 0)
        {
            this.threads = threads;
        }
    }

    /**
     * @return the bytes of a size flag ("2 GiB", "512KiB", 4096).
     * @throws SpindleCli.UsageException naming the flag.
     */
    static long bytes(final String flag, final String text)
    {
        try
        {
            return dev.spindle.fs.Sizes.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SpindleCli.UsageException(flag + ": " + ex.getMessage());
        }
    }

    void check()
    {
        if (collections <= 0 || collections > 100_000)
        {
            throw new SpindleCli.UsageException("--collections must be 1..100000, not " + collections);
        }
        if (entries < 0)
        {
            throw new SpindleCli.UsageException("--entries must be 0 or more, not " + entries);
        }
        if (entrySize < 0 || entrySize > 64 << 20)
        {
            throw new SpindleCli.UsageException("--entry-size must be 0..67108864 bytes, not " + entrySize);
        }
        if (rate < 0)
        {
            throw new SpindleCli.UsageException("--rate must be 0 (unthrottled) or more, not " + rate);
        }
        if (checkpointMib != null && (checkpointMib < 0 || checkpointMib > 1 << 20))
        {
            throw new SpindleCli.UsageException("--checkpoint-mib must be 0 (never) to 1048576, not " + checkpointMib);
        }
        if (threads <= 0 || threads > 1024)
        {
            throw new SpindleCli.UsageException("--threads must be 1..1024, not " + threads);
        }
    }
}
