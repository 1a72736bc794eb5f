/**
 * Reading data files for loads, independent of jobs: a CSV parser that keeps positions for error
 * messages, schema autodetection, and the conversion of text and JSON values to BigQuery types.
 */
package dev.bqjobs.emulator.files;
