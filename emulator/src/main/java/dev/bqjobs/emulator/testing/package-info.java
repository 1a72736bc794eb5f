/**
 * Test helpers shipped with the local server, as Beam ships {@code io/gcp/testing}: {@link
 * dev.bqjobs.emulator.testing.ServerProcess} runs the standalone server as its own process
 * (started, SIGKILLed, restarted on its port, stopped); {@link
 * dev.bqjobs.emulator.testing.ServerFixtures} sets a server up and reads it back (datasets, SQL,
 * {@code gs://} files, stats); {@link dev.bqjobs.emulator.testing.IamPolicy} writes an {@code
 * --iam} policy file. Every module's tests use these, instead of copies of their own.
 *
 * <p>{@code ServerProcess} needs nothing but the JDK (and Gson for {@code stats()}), so a module
 * that only launches the server's jar (the benchmark) can depend on this artifact without the
 * server's dependencies.
 */
package dev.bqjobs.emulator.testing;
