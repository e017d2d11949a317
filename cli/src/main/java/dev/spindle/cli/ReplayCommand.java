package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.cli.bench.Payloads;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code spindle replay}: read entries back without opening the WAL for writing (no lock taken,
 * nothing changed), exactly as recovery would keep them.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay entries in sequence order, merged across lanes, without changing any file.",
        "--format jsonl (default): one JSON object per entry (key and value base64).",
        "--format count: 'collection count max_sequence' per collection.",
        "--verify-seed S: check every payload written by 'spindle write --seed S'; exit 1 on a mismatch or a gap."})
final class ReplayCommand implements Callable<Integer>
{
    enum Format
    {
        jsonl, count
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "TOML configuration")
    Path config;

    @Option(names = "--collection", paramLabel = "C", description = "only this collection (default: all)")
    String collection;

    @Option(names = "--from", paramLabel = "SEQ", description = "first sequence (default 1)")
    long from = 1;

    @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl or count")
    Format format = Format.jsonl;

    @Option(names = "--verify-seed", paramLabel = "S", description = "check payloads against this seed")
    Long verifySeed;

    @Option(names = "--payload", paramLabel = "KIND", description = "with --verify-seed: the --payload the entries " +
        "were written with (random, text, vectors; default random)")
    Payloads.Kind payload = Payloads.Kind.random;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        int problems = 0;
        try (WalReader reader = WalReader.open(SpindleCli.load(config, err)))
        {
            for (final String note : reader.notes())
            {
                err.println("spindle: note: " + note);
            }
            final List<String> names = collection == null ? List.copyOf(reader.collections()) : List.of(collection);
            try (JsonGenerator json = Json.generator(out))
            {
                for (final String name : names)
                {
                    problems += replay(reader, name, out, err, json);
                }
            }
        }
        out.flush();
        if (problems > 0)
        {
            err.println("spindle: " + problems + " problem(s) found");
            return SpindleCli.DATA_PROBLEM;
        }
        return SpindleCli.OK;
    }

    private int replay(final WalReader reader, final String name, final PrintWriter out, final PrintWriter err,
        final JsonGenerator json) throws Exception
    {
        int problems = 0;
        long count = 0;
        long max = 0;
        // the first entry must be right after the checkpoint (or at --from): a hole at the start is a gap too
        long expected = Math.max(from, reader.checkpoint(name) + 1);
        try (WalReplay replay = reader.replay(name, from))
        {
            while (replay.hasNext())
            {
                final WalRecord r = replay.next();
                if (r.sequence() > expected)
                {
                    err.println("spindle: " + name + ": sequences " + expected + ".." + (r.sequence() - 1) + " are missing");
                    problems++;
                }
                expected = Math.max(expected, r.sequence() + 1);
                count++;
                max = r.sequence();
                if (verifySeed != null)
                {
                    final String wrong = Payloads.check(payload, verifySeed, name, r.sequence(), r.key(), r.value(),
                        r.vector());
                    if (wrong != null)
                    {
                        err.println("spindle: " + name + "#" + r.sequence() + ": " + wrong);
                        problems++;
                    }
                }
                if (format == Format.jsonl)
                {
                    Json.line(json, out, r);
                }
            }
        }
        if (format == Format.count)
        {
            out.println(name + " " + count + " " + max);
        }
        return problems;
    }
}
