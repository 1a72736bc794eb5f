/**
 * The error type every layer below HTTP throws: a kind, BigQuery's reason, a message and an
 * optional location. The HTTP layer alone maps it to status codes and BigQuery's envelope.
 */
package dev.bqjobs.emulator.errors;
