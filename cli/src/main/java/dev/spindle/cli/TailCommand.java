package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalTail;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code spindle tail}: follow a collection like {@code tail -f}, from its files or, on a machine that has only
 * the bucket, from object storage ({@link WalReader#tail}). Never takes the writer's lock, never changes a file.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Follow a collection like 'tail -f': its entries in sequence order as they are written, one JSON " +
        "object per line (key and value base64), across segment rolls, restarts of the writer and checkpoints.",
        "Reads the local lanes' files (woken by file events) and remote lanes' buckets (listed every second), so " +
        "it runs beside the writer or on another machine that has only the bucket. Never takes the writer's lock, " +
        "never changes a file. Runs until interrupted, or until --until."})
final class TailCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "TOML configuration")
    Path config;

    @Option(names = "--collection", required = true, paramLabel = "C", description = "the collection to follow")
    String collection;

    @Option(names = "--from", paramLabel = "SEQ|end",
        description = "first sequence (default 1), or 'end': only what comes after the last entry there is now")
    String from = "1";

    @Option(names = "--until", paramLabel = "SEQ", description = "exit once this sequence has been printed")
    Long until;

    @Option(names = "--poll-ms", paramLabel = "MS",
        description = "the longest wait between looks at local lanes without a file event (default 100)")
    long pollMs = 100;

    @Option(names = "--list-every-ms", paramLabel = "MS",
        description = "how often remote lanes' buckets are listed (default 1000)")
    long listEveryMs = 1000;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (pollMs < 1 || listEveryMs < 1)
        {
            throw new SpindleCli.UsageException("--poll-ms and --list-every-ms must be at least 1");
        }
        if (until != null && until < 1)
        {
            throw new SpindleCli.UsageException("--until must be a sequence, 1 or more");
        }
        final WalOptions options = SpindleCli.load(config, err);
        final long first = first(options);
        try (JsonGenerator json = Json.generator(out);
             WalTail tail = WalReader.tail(options, collection, first, r ->
             {
                 Json.line(json, out, r);
                 out.flush();
                 if (out.checkError())
                 {
                     throw new OutputClosed();    // a PrintWriter keeps quiet about a closed pipe ('| head')
                 }
             }, Duration.ofMillis(pollMs), Duration.ofMillis(listEveryMs)))
        {
            final long target = until == null ? Long.MAX_VALUE : until;
            while (!tail.awaitDelivered(target, 1, TimeUnit.SECONDS) && tail.isRunning())
            {
                // until --until, an interrupt (Ctrl-C ends the JVM), or a failure
            }
            if (tail.failure() instanceof OutputClosed)
            {
                return SpindleCli.OK;    // whoever read the output has had enough, as with tail -f | head
            }
            if (tail.failure() != null)
            {
                final Throwable failure = tail.failure();
                err.println("spindle: tail of " + collection + " stopped after sequence " + tail.lastDelivered() + ": " +
                    (failure.getMessage() == null ? failure : failure.getMessage()));
                return SpindleCli.DATA_PROBLEM;
            }
        }
        out.flush();
        return SpindleCli.OK;
    }

    /** Standard output was closed by its reader. */
    private static final class OutputClosed extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        OutputClosed()
        {
            super("standard output is closed", null, false, false);
        }
    }

    private long first(final WalOptions options)
    {
        if ("end".equals(from))
        {
            try (WalReader reader = WalReader.open(options))
            {
                return reader.lastSequence(collection) + 1;
            }
        }
        try
        {
            final long sequence = Long.parseLong(from);
            if (sequence >= 1)
            {
                return sequence;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // below
        }
        throw new SpindleCli.UsageException("--from must be a sequence, 1 or more, or 'end': " + from);
    }
}
