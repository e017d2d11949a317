package dev.spindle.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.SegmentReader;
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
        final boolean sealed = SegmentNames.parseSealed(segment.getFileName().toString()) != null;
        try (SegmentReader reader = new SegmentReader(segment); JsonGenerator json = Json.generator(out))
        {
            final SegmentReader.Header header = reader.readHeader(null);
            final SegmentReader.Block block = new SegmentReader.Block();
            long offset = header.length;
            long previous = header.firstSequence - 1;
            while (true)
            {
                reader.readBlock(offset, reader.size(), previous, block);
                if (block.status != SegmentReader.Status.VALID)
                {
                    break;
                }
                for (final WalRecord r : block.entries)
                {
                    Json.record(json, r);
                    json.flush();
                    out.println();
                    previous = r.sequence();
                }
                offset = block.nextOffset;
            }
            out.flush();
            if (offset < reader.size())
            {
                final String why = block.status == SegmentReader.Status.INVALID ? block.problem : "zeros";
                if (sealed)
                {
                    throw new CorruptSegmentException(segment, block.problemOffset, why);
                }
                err.println("spindle: note: " + segment + ": log ends at byte " + offset + " (" + why + ")");
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new SpindleCli.UsageException(segment + ": no such file");
        }
        return SpindleCli.OK;
    }
}
