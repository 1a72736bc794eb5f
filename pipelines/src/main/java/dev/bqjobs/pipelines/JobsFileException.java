package dev.bqjobs.pipelines;

/**
 * The jobs file cannot be used as a whole (it does not parse, an entry has no key, a key repeats,
 * ...). The message names the file, and the entry and line where known. No job runs.
 */
public final class JobsFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public JobsFileException(String message) {
    super(message);
  }

  public JobsFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
