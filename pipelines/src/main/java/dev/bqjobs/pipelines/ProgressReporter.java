package dev.bqjobs.pipelines;

import java.io.PrintStream;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;

/**
 * Shows the progress line while the pipeline runs: redrawn in place on a terminal, and as plain
 * lines (when something changed, at most every {@link #PLAIN_INTERVAL}) otherwise, so logs and CI
 * output stay readable.
 *
 * <p>It waits with {@link PipelineResult#waitUntilFinish(Duration)} between redraws rather than
 * sleeping: the wait ends as soon as the pipeline does.
 */
final class ProgressReporter {
  static final Duration TTY_INTERVAL = Duration.millis(250);
  static final Duration PLAIN_INTERVAL = Duration.standardSeconds(5);

  private final PrintStream out;
  private final boolean tty;

  ProgressReporter(PrintStream out, boolean tty) {
    this.out = out;
    this.tty = tty;
  }

  /** Reports until the pipeline ends; returns its final state. */
  PipelineResult.State follow(PipelineResult result, long total, long preFailed) {
    long started = System.currentTimeMillis();
    String lastShown = null;
    int lastWidth = 0;
    while (true) {
      PipelineResult.State state = result.waitUntilFinish(tty ? TTY_INTERVAL : PLAIN_INTERVAL);
      boolean finished = state != null && state.isTerminal();
      String line = JobCounts.read(result, total, preFailed).line();
      String elapsed = " " + (System.currentTimeMillis() - started) / 1000 + "s";
      if (tty) {
        String shown = "\r" + line + elapsed;
        int width = shown.length();
        // Pad over the previous, possibly longer, line.
        out.print(shown + " ".repeat(Math.max(0, lastWidth - width)));
        lastWidth = width;
        if (finished) {
          out.println();
        }
        out.flush();
      } else if (!line.equals(lastShown) || finished) {
        out.println(line + elapsed);
        out.flush();
      }
      lastShown = line;
      if (finished) {
        return state;
      }
    }
  }
}
