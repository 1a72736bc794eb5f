package dev.bqjobs.transforms;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker.Progress;
import org.apache.beam.sdk.transforms.splittabledofn.SplitResult;
import org.junit.Test;

/** The shard restriction: claims in order, checkpoints that hand over exactly what is owed. */
public class ShardTrackerTest {
  @Test
  public void aCheckpointHandsOverTheRequestsNotAdmittedAndTheResultsOwed() {
    ShardTracker tracker = new ShardTracker(ShardProgress.all(10), 0);
    for (long i = 0; i < 4; i++) {
      assertTrue(tracker.tryClaim(ShardTracker.admit(i)));
    }
    assertTrue(tracker.tryClaim(ShardTracker.emit(2)));
    assertTrue(tracker.tryClaim(ShardTracker.emit(0)));

    SplitResult<ShardProgress> split = tracker.trySplit(0);

    assertNotNull(split);
    assertEquals(new ShardProgress(4, 10, new long[] {1, 3}), split.getResidual());
    assertEquals(0, split.getPrimary().remaining());
    assertFalse("no claim after a checkpoint", tracker.tryClaim(ShardTracker.emit(1)));
    assertFalse(tracker.tryClaim(ShardTracker.MAY_CONTINUE));
    tracker.checkDone(); // the call's part is done: the rest is the residual's
  }

  @Test
  public void aResumedPieceOwesWhatTheResidualSaid() {
    ShardTracker tracker = new ShardTracker(new ShardProgress(4, 6, new long[] {1, 3}), 0);
    assertTrue(tracker.tryClaim(ShardTracker.emit(3)));
    assertTrue(tracker.tryClaim(ShardTracker.admit(4)));
    assertTrue(tracker.tryClaim(ShardTracker.admit(5)));
    assertThrows(IllegalStateException.class, tracker::checkDone);
    for (long i : new long[] {1, 4, 5}) {
      assertTrue(tracker.tryClaim(ShardTracker.emit(i)));
    }
    tracker.checkDone();
    Progress progress = tracker.getProgress();
    assertEquals(4, progress.getWorkCompleted(), 0);
    assertEquals(0, progress.getWorkRemaining(), 0);
  }

  @Test
  public void claimsOutOfOrderOrNotOwedAreBugs() {
    ShardTracker tracker = new ShardTracker(ShardProgress.all(3), 0);
    assertThrows(IllegalArgumentException.class, () -> tracker.tryClaim(ShardTracker.admit(1)));
    assertThrows(IllegalArgumentException.class, () -> tracker.tryClaim(ShardTracker.emit(0)));
    assertTrue(tracker.tryClaim(ShardTracker.admit(0)));
    assertTrue(tracker.tryClaim(ShardTracker.emit(0)));
    assertThrows(IllegalArgumentException.class, () -> tracker.tryClaim(ShardTracker.emit(0)));
  }

  @Test
  public void onlyCheckpointsSplitAShard() {
    ShardTracker tracker = new ShardTracker(ShardProgress.all(100), 0);
    assertTrue(tracker.tryClaim(ShardTracker.admit(0)));
    assertNull("parts running at once would break the shard's budget", tracker.trySplit(0.5));
    assertTrue(tracker.tryClaim(ShardTracker.MAY_CONTINUE));
  }

  @Test
  public void aCheckpointIsRefusedUntilTheCallHasEmittedEnoughResults() {
    ShardTracker tracker = new ShardTracker(ShardProgress.all(10), 3);
    for (long i = 0; i < 5; i++) {
      assertTrue(tracker.tryClaim(ShardTracker.admit(i)));
    }
    assertTrue(tracker.tryClaim(ShardTracker.emit(0)));
    assertTrue(tracker.tryClaim(ShardTracker.emit(1)));
    assertNull("two results are not worth a pause", tracker.trySplit(0));
    assertTrue(
        "a refused checkpoint lets the call go on", tracker.tryClaim(ShardTracker.MAY_CONTINUE));
    assertTrue(tracker.tryClaim(ShardTracker.emit(2)));

    SplitResult<ShardProgress> split = tracker.trySplit(0);

    assertNotNull(split);
    assertEquals(new ShardProgress(5, 10, new long[] {3, 4}), split.getResidual());
    assertFalse(tracker.tryClaim(ShardTracker.emit(3)));
  }

  @Test
  public void aFinishedShardHasNothingToCheckpoint() {
    ShardTracker tracker = new ShardTracker(ShardProgress.all(1), 0);
    assertTrue(tracker.tryClaim(ShardTracker.admit(0)));
    assertTrue(tracker.tryClaim(ShardTracker.emit(0)));
    assertNull(tracker.trySplit(0));
    tracker.checkDone();
  }

  @Test
  public void progressCodesCompactlyAndExactly() throws Exception {
    ShardProgress progress =
        new ShardProgress(70_000, 100_000, new long[] {69_800, 69_801, 69_990});
    CoderProperties.coderDecodeEncodeEqual(ShardProgress.Coder.of(), progress);
    CoderProperties.coderDecodeEncodeEqual(ShardProgress.Coder.of(), ShardProgress.all(0));
    assertArrayEquals(
        new long[] {69_800, 69_801, 69_990},
        org.apache.beam.sdk.util.CoderUtils.clone(ShardProgress.Coder.of(), progress).owed);
    assertEquals(
        13,
        org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(ShardProgress.Coder.of(), progress)
            .length);
  }
}
