package dev.bqjobs.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The JVM-wide pool of in-flight slots that exhausted shards lend to the others. */
public class JobBudgetTest {
  @Test
  public void onlyLentSlotsCanBeBorrowed() {
    JobBudget budget = JobBudget.perJvm("budget-" + System.nanoTime());
    assertFalse(budget.tryBorrow());
    budget.lend(2);
    assertTrue(budget.tryBorrow());
    assertTrue(budget.tryBorrow());
    assertFalse(budget.tryBorrow());
    budget.giveBack();
    assertEquals(1, budget.free());
    assertTrue(budget.tryBorrow());
  }

  @Test
  public void oneBudgetPerTransformInAJvm() {
    String id = "budget-" + System.nanoTime();
    assertSame(JobBudget.perJvm(id), JobBudget.perJvm(id));
    assertTrue(JobBudget.perJvm(id).shared());
  }

  @Test
  public void anUnsharedBudgetNeverLends() {
    JobBudget alone = JobBudget.unshared();
    alone.lend(5);
    assertFalse(alone.shared());
    assertFalse(alone.tryBorrow());
  }

  @Test
  public void misuseIsAnError() {
    JobBudget budget = JobBudget.perJvm("budget-" + System.nanoTime());
    assertThrows(IllegalStateException.class, budget::giveBack);
    assertThrows(IllegalArgumentException.class, () -> budget.lend(-1));
  }
}
