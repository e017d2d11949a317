package dev.spindle.bench.durable;

import org.openjdk.jmh.annotations.Fork;

/**
 * What the Chronicle peers share: their JVM flags. Chronicle needs module exports and opens on Java 17 and
 * calls home unless {@code chronicle.analytics.disable} is set. They are set here, on these benchmarks' forks
 * only, never in Spindle's core, CLI or other benchmarks (the writers' tests set the same in bench/pom.xml).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
public abstract class ChronicleBenchmark extends DurableBenchmark
{
}
