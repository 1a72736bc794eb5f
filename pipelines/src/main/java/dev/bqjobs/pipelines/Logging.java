package dev.bqjobs.pipelines;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Quiet logs by default (warnings and errors only), INFO with {@code --verbose}. Configures the
 * slf4j-simple binding (Beam, Spark, the transform) and java.util.logging (Google's HTTP client)
 * before the first logger is created; a level set with {@code -Dorg.slf4j.simpleLogger...} wins.
 */
final class Logging {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private Logging() {}

  static void configure(boolean verbose) {
    setIfAbsent(PREFIX + "defaultLogLevel", verbose ? "info" : "warn");
    setIfAbsent(PREFIX + "logFile", "System.err");
    if (!verbose) {
      // Spark and Hadoop warn about local set-up details (native libraries, loopback host names)
      // that say nothing about the jobs.
      setIfAbsent(PREFIX + "log.org.apache.spark", "error");
      setIfAbsent(PREFIX + "log.org.apache.hadoop", "error");
      setIfAbsent(PREFIX + "log.org.sparkproject", "error");
    }
    Logger.getLogger("").setLevel(verbose ? Level.INFO : Level.WARNING);
  }

  /** True if the raw arguments ask for {@code --verbose} (read before options are parsed). */
  static boolean verboseRequested(String[] args) {
    for (String arg : args) {
      if (arg.equals("--verbose") || arg.equals("--verbose=true")) {
        return true;
      }
    }
    return false;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
