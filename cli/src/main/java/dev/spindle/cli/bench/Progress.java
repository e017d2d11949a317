package dev.spindle.cli.bench;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;

/**
 * A progress bar with an ETA on stderr for long benchmark runs (me.tongfei:progressbar). On a terminal it
 * redraws one line every second; otherwise (a log file, a test) it prints one line per finished step, so a
 * log holds each step once and no carriage returns.
 */
public final class Progress implements AutoCloseable
{
    private static final int WIDTH = 110;

    private final ProgressBar bar;
    private final boolean terminal;
    private final PrintWriter err;

    public Progress(final PrintWriter err, final String task, final long steps)
    {
        final boolean terminal = System.console() != null;
        final String[] last = {""};
        final DelegatingProgressBarConsumer consumer = new DelegatingProgressBarConsumer(line -> {
            if (terminal)
            {
                err.print('\r');
                err.print(line);
            }
            else if (!line.equals(last[0]))
            {
                err.println(line.stripTrailing());
            }
            last[0] = line;
            err.flush();
        }, WIDTH);
        bar = new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(steps)
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(consumer)
            .setUpdateIntervalMillis(terminal ? 1000 : Integer.MAX_VALUE)
            .build();
        this.terminal = terminal;
        this.err = err;
    }

    /**
     * Show what runs now.
     */
    public void doing(final String what)
    {
        bar.setExtraMessage(what);
    }

    /**
     * One step done.
     */
    public void step()
    {
        bar.step();
        if (!terminal)
        {
            bar.refresh();
        }
    }

    @Override
    public void close()
    {
        bar.close();
        if (terminal)
        {
            err.println();
            err.flush();
        }
    }
}
