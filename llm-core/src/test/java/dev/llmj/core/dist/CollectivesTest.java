package dev.llmj.core.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The launcher's job size as read from the environment, and the one-process job's operations. */
class CollectivesTest {

  @Test
  void jobSizeComesFromTheLaunchersVariables() {
    assertEquals(1, Collectives.launchedSize(Map.of()));
    assertEquals(1, Collectives.launchedSize(Map.of("PATH", "/usr/bin")));
    assertEquals(4, Collectives.launchedSize(Map.of("OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_RANK", "2")));
    assertEquals(1, Collectives.launchedSize(Map.of("OMPI_COMM_WORLD_SIZE", "1")));
    assertEquals(3, Collectives.launchedSize(Map.of("PMI_SIZE", "3", "PMI_RANK", "0")));
    assertEquals(8, Collectives.launchedSize(Map.of("SLURM_STEP_NUM_TASKS", "8", "SLURM_PROCID", "5")));
    // a batch script's own environment names the step's tasks but is not one of them
    assertEquals(1, Collectives.launchedSize(Map.of("SLURM_STEP_NUM_TASKS", "8")));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Collectives.launchedSize(Map.of("OMPI_COMM_WORLD_SIZE", "two")));
    assertTrue(e.getMessage().contains("OMPI_COMM_WORLD_SIZE=two"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Collectives.launchedSize(Map.of("PMI_SIZE", "0")));
  }

  @Test
  void thisTestJvmIsAOneProcessJob() {
    assertTrue(!Collectives.launchedAsRank(), "the tests are not started by mpirun or srun");
    assertSame(Collective.single(), Collectives.world());
    assertEquals("", Collectives.rankLabel());
  }

  @Test
  void oneProcessOperationsLeaveTheirArgumentsAsTheyAre() {
    Collective one = Collective.single();
    assertEquals(0, one.rank());
    assertEquals(1, one.size());
    INDArray a = Nd4j.createFromArray(1.5f, -2f, 3f);
    INDArray before = a.dup();
    one.allReduceSum(a);
    one.broadcast(a, 0);
    assertEquals(before, a);
    double[] d = {1, 2};
    one.allReduceSum(d);
    assertArrayEquals(new double[] {1, 2}, d);
    assertArrayEquals(new byte[] {1, 2, 3}, one.broadcast(new byte[] {1, 2, 3}, 0));
    one.barrier();
    one.finish();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> one.broadcast(Nd4j.zeros(DataType.FLOAT, 2), 1));
    assertTrue(e.getMessage().contains("root rank 1"), e.getMessage());
  }
}
