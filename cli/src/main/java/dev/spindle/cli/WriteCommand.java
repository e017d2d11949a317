package dev.spindle.cli;

import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code spindle write}: append a reproducible workload to a configured WAL.
 */
@Command(name = "write", mixinStandardHelpOptions = true,
    description = {"Append M entries over N collections from T threads to the WAL of --config.",
        "Each value is a pure function of (seed, collection, sequence); a second run continues each collection's",
        "sequences. Prints the same JSON summary as bench on the last line."})
final class WriteCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "TOML configuration")
    Path config;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--ack-log", paramLabel = "FILE",
        description = "append 'collection sequence' for each entry once it is durable (written through as it goes)")
    Path ackLog;

    @Override
    public Integer call() throws Exception
    {
        if (workload.collections < 0 || workload.entries < 0 || workload.entrySize < 0 || workload.threads < 0)
        {
            throw new SpindleCli.UsageException("write needs --collections, --entries, --entry-size and --threads");
        }
        workload.check();
        final WalOptions options = SpindleCli.load(config, spec.commandLine().getErr());
        if (ackLog != null && options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new SpindleCli.UsageException("--ack-log needs durable entries; sync_mode = MemoryOnly has none");
        }
        try (Wal wal = Wal.open(options))
        {
            final LoadGenerator.Result result = new LoadGenerator(wal, new LoadGenerator.Params(workload.collections,
                workload.entries, workload.entrySize, workload.threads, workload.seed, ackLog, !workload.quiet, 0, workload.rate),
                spec.commandLine().getErr()).run();
            spec.commandLine().getOut().println(BenchCommand.json(result, options, workload));
        }
        return SpindleCli.OK;
    }
}
