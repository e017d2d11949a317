package dev.spindle.cli;

import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code spindle verify}: check every byte; exit 0 clean, 1 corruption, 2 usage or config error.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check headers, sync markers, the CRC32C of every entry and sequence continuity.",
        "A torn tail at the end of an active .open segment is the normal state after a crash: it is reported",
        "as a note (recovery cuts it), not as corruption.",
        "--repair (with --config): open the WAL with lenient recovery, which cuts torn tails and corruption",
        "and sets aside unreadable segments, then verify again."})
final class VerifyCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "verify every lane of this configuration")
    Path config;

    @Parameters(paramLabel = "SEGMENT", arity = "0..*", description = "segment files to verify on their own")
    List<Path> segments;

    @Option(names = "--repair", description = "recover the WAL leniently first (changes files; needs --config)")
    boolean repair;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean hasSegments = segments != null && !segments.isEmpty();
        if ((config == null) == !hasSegments)
        {
            throw new SpindleCli.UsageException("verify needs either --config FILE or SEGMENT files, not both");
        }
        if (repair && config == null)
        {
            throw new SpindleCli.UsageException("--repair needs --config (it runs recovery over the whole WAL)");
        }
        final WalVerifier.Report report;
        if (config != null)
        {
            final WalOptions options = SpindleCli.load(config, err);
            if (repair)
            {
                try (Wal wal = Wal.open(options.toBuilder().recoveryMode(RecoveryMode.lenient).build()))
                {
                    for (final String note : wal.recoveryNotes())
                    {
                        out.println("repaired: " + note);
                    }
                }
            }
            report = WalVerifier.verify(options);
        }
        else
        {
            report = WalVerifier.verifySegments(segments);
        }
        long errors = 0;
        for (final WalVerifier.Finding finding : report.findings())
        {
            out.println(finding);
            if (finding.severity() == WalVerifier.Severity.ERROR)
            {
                errors++;
            }
        }
        out.printf("%s: %d segment(s), %d entries, %d error(s)%n", errors == 0 ? "clean" : "CORRUPT",
            report.segments(), report.entries(), errors);
        return errors == 0 ? SpindleCli.OK : SpindleCli.DATA_PROBLEM;
    }
}
