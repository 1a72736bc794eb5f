/**
 * Wire forms every layer shares: the JSON codec of BigQuery's model classes (canonical, with
 * BigQuery's errors for malformed bodies) and the opaque page tokens of list methods.
 */
package dev.bqjobs.emulator.wire;
