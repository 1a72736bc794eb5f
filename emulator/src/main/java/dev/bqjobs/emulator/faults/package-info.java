/**
 * Injected failures and quotas ({@code --faults}, {@code --quotas}): refused calls, lost answers,
 * jobs that fail with a chosen reason, per-method rate limits. Decides the fate of a call; the
 * server wiring turns that into HTTP behaviour.
 */
package dev.bqjobs.emulator.faults;
