/**
 * What users call: {@code Wal} and {@code WalCollection} (append, await, replay, checkpoint), {@code WalOptions}
 * and its enums, the entry model ({@code Entry}, {@code WalRecord}), {@code WalStats}, and the read-only tools
 * {@code WalReader} and {@code WalVerifier}. {@code Wal} and its collections are safe from any thread; a
 * {@code WalReplay} belongs to the thread that iterates it. Implementations live in {@code wal.internal}.
 */
package dev.spindle.wal;
