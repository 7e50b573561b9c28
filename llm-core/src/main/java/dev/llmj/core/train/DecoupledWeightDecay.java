package dev.llmj.core.train;

import dev.llmj.core.spi.KernelRegistry;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * AdamW's decay: DL4J's {@link WeightDecay} update, without a term in the loss. DL4J adds {@code
 * 0.5 wd |w|^2} to the score, which costs a pass over every decayed parameter; the trainer reports
 * the data loss only, so it paid that pass twice a step to add the term and take it out again.
 * The update itself is one BLAS axpy per parameter where both arrays are contiguous ({@link
 * KernelRegistry#blasAxpy}): ND4J's Axpy transform took several times longer than the Adam update of the same
 * elements.
 */
final class DecoupledWeightDecay extends WeightDecay {

  DecoupledWeightDecay(@JsonProperty("coeff") ISchedule coeff, @JsonProperty("applyLR") boolean applyLR) {
    super(coeff, applyLR);
  }

  @Override
  public double score(org.nd4j.linalg.api.ndarray.INDArray param, int iteration, int epoch) {
    return 0;
  }

  @Override
  public void apply(org.nd4j.linalg.api.ndarray.INDArray param, org.nd4j.linalg.api.ndarray.INDArray gradView,
      double lr, int iteration, int epoch) {
    double scale = coeff.valueAt(iteration, epoch) * (applyLR ? lr : 1);
    if (!KernelRegistry.blasAxpy(scale, param, gradView)) { // update += scale * param
      super.apply(param, gradView, lr, iteration, epoch);
    }
  }

  @Override
  public Regularization clone() {
    return new DecoupledWeightDecay(coeff.clone(), applyLR);
  }
}
