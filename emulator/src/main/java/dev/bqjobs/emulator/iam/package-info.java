/**
 * Access control from an IAM policy file: principals by bearer token, the permission each API
 * method needs, and the read and write checks jobs make on the tables they touch. With no policy,
 * everything is allowed.
 */
package dev.bqjobs.emulator.iam;
