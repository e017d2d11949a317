/**
 * Test scope only: real servers of each object-store protocol that the tests start themselves (S3Mock as a child
 * JVM, Azurite as a child Node.js process, the in-process GCS test server), the {@link dev.spindle.testkit.FaultProxy}
 * in front of each, and {@link dev.spindle.testkit.WalFileSystemContract}, the SPI contract every backend's test
 * runs. Starting a server and waiting until it answers, and stopping one, is {@code ServerStart}'s job for all
 * three, always against a deadline; {@code ServerFiles} holds the free-port and delete-a-tree helpers.
 *
 * <p>Threads: a server's {@code start()}, {@code stop()} and {@code close()} are synchronized, so any test thread
 * may call them; one server per JVM is shared through {@code shared()} and closed by a shutdown hook. A fault proxy
 * owns an accept thread and one daemon thread per copied direction of a connection; the GCS test server answers on
 * its own daemon pool. Nothing here is a runtime dependency of Spindle.
 */
package dev.spindle.testkit;
