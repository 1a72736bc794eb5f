/**
 * The local BigQuery server: {@link dev.bqjobs.emulator.LocalBigQuery} builds and wires the layers
 * (HTTP, API handlers, engine, store) and is the Java entry point; {@link
 * dev.bqjobs.emulator.LocalBigQueryRule} (JUnit 4) and {@link
 * dev.bqjobs.emulator.LocalBigQueryExtension} (JUnit 5) run it in tests, {@link
 * dev.bqjobs.emulator.Main} on the command line. The map of the packages is {@code
 * src/docs/architecture.md}.
 */
package dev.bqjobs.emulator;
