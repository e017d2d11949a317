package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code spindle dump}: a segment's entries as JSON lines.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {"Print a segment's entries as JSON lines (key and value base64).",
        "For an active .open segment, stops at its torn tail (noted on stderr)."})
final class DumpCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SEGMENT", description = "a .avro or .open segment file")
    Path segment;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try (JsonGenerator json = Json.generator(out))
        {
            final WalReader.SegmentEnd end = WalReader.readSegment(segment, r -> Json.line(json, out, r));
            out.flush();
            if (!end.whole())
            {
                if (end.sealed())
                {
                    throw new CorruptSegmentException(segment, end.problemOffset(), end.problem());
                }
                err.println("spindle: note: " + segment + ": log ends at byte " + end.validBytes() + " (" +
                    end.problem() + ")");
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new SpindleCli.UsageException(segment + ": no such file");
        }
        return SpindleCli.OK;
    }
}
