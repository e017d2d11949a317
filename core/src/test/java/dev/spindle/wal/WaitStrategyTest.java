package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.spindle.wal.WalTestSupport.eventually;
import static dev.spindle.wal.WalTestSupport.range;
import static dev.spindle.wal.WalTestSupport.replayAll;
import static dev.spindle.wal.WalTestSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code wait_strategy} carries entries from two producers to acknowledgement and back from replay, with
 * idle gaps in between (so a lane that parks is woken again).
 */
class WaitStrategyTest
{
    @TempDir
    Path dir;

    /**
     * Wait, with a deadline, until the lane thread is parked, for the strategies that park: the next append then
     * finds it parked and must wake it. The others never park; their lane is simply idle for a moment.
     */
    private static void idle(final WaitStrategy strategy)
    {
        if (strategy == WaitStrategy.yielding || strategy == WaitStrategy.busy_spin)
        {
            return;
        }
        eventually(10_000, "lane thread parked (" + strategy + ")", () -> {
            for (final Thread t : Thread.getAllStackTraces().keySet())
            {
                if (t.getName().equals("spindle-lane-0") && t.isAlive())
                {
                    final Thread.State state = t.getState();
                    return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
                }
            }
            return false;
        });
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    void shouldAcknowledgeAndReplayEveryEntry(final WaitStrategy strategy) throws Exception
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.resolve("lane0").toString())
            .waitStrategy(strategy).syncMode(SyncMode.PerBatch).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection("docs");
            final List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int t = 0; t < 2; t++)
            {
                producers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 500; i++)
                    {
                        final long s = c.append(new Entry().op(Op.INSERT).value(("v" + i).getBytes(StandardCharsets.UTF_8)));
                        if (i % 100 == 0)
                        {
                            assertTrue(c.awaitAcknowledged(s, 10, TimeUnit.SECONDS), "acknowledged");
                            idle(strategy);    // the lane parks; the next append must wake it
                        }
                    }
                }));
            }
            for (final CompletableFuture<Void> p : producers)
            {
                p.get(60, TimeUnit.SECONDS);
            }
            assertTrue(c.awaitAcknowledged(c.lastSequence(), 10, TimeUnit.SECONDS));
        }
        try (Wal wal = Wal.open(options))
        {
            assertEquals(range(1, 1000), sequences(replayAll(wal.collection("docs"), 1)), strategy.name());
        }
    }
}
