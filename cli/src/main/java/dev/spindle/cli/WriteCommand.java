package dev.spindle.cli;

import dev.spindle.cli.bench.BenchJson;
import dev.spindle.cli.bench.LoadGenerator;
import dev.spindle.wal.SyncMode;
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
        description = {"append 'collection sequence' for each entry once it is durable (written through as it goes);",
            "with sync_mode Periodic or Never also '+ collection sequence epoch_millis' when a collection's",
            "acknowledged watermark moves"})
    Path ackLog;

    @Override
    public Integer call() throws Exception
    {
        if (workload.collections < 0 || workload.entries < 0)
        {
            throw new SpindleCli.UsageException("write needs --collections and --entries (--entry-size defaults to " +
                BenchCommand.DEFAULT_ENTRY_SIZE + ", --threads to " + BenchCommand.DEFAULT_THREADS + ", as for bench)");
        }
        workload.defaults(BenchCommand.DEFAULT_ENTRY_SIZE, -1, -1, BenchCommand.DEFAULT_THREADS);
        workload.check();
        final WalOptions options = SpindleCli.load(config, spec.commandLine().getErr());
        if (ackLog != null && options.syncMode() == SyncMode.MemoryOnly)
        {
            throw new SpindleCli.UsageException("--ack-log needs durable entries; sync_mode = MemoryOnly has none");
        }
        final LoadGenerator.Params params = new LoadGenerator.Params(workload.collections, workload.entrySize,
            workload.threads, workload.seed, workload.rate, ackLog, !workload.quiet, workload.checkpointBytes(0),
            workload.payload);
        final LoadGenerator.Result result = LoadGenerator.runOn(options, params, LoadGenerator.Phase.entries(0),
            LoadGenerator.Phase.entries(workload.entries), spec.commandLine().getErr());
        spec.commandLine().getOut().println(BenchJson.toString(g -> {
            g.writeStartObject();
            BenchJson.writeResult(g, result);
            BenchJson.writeSetup(g, params, options);
            g.writeEndObject();
        }));
        return SpindleCli.OK;
    }
}
